import Foundation
import NightshiftCore

/// Reading the API key from a file that only its owner can read.
public enum KeyFile {
    /// Why the key file was refused.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What is wrong and what to do.
        public let description: String
    }

    /// The key in `path` (first line, trimmed). Refused when group or others may read or
    /// write it: `chmod 600 FILE` fixes that.
    public static func read(_ path: String) throws(Failure) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Failure(description: "cannot read the key file \(path): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & 0o077 != 0 {
            throw Failure(
                description: "the key file \(path) can be read or changed by other users (mode \(String(info.st_mode & 0o777, radix: 8))); run: chmod 600 \(path)")
        }
        let text: String
        do {
            text = try FileRead.text(path, what: "the key file", limit: 1 << 20)
        } catch {
            throw Failure(description: error.description)
        }
        let key = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = key.trimmingCharacters(in: " \t\r")
        guard !trimmed.isEmpty else { throw Failure(description: "the key file \(path) is empty") }
        return trimmed
    }
}
