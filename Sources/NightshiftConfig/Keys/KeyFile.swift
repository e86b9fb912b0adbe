import Foundation
import NightshiftCore

/// Reading an API key from a file, under the rules of docs/fleets.md: only its owner may
/// read it (as ssh and libpq require of their key and password files), unless it lives in
/// systemd's credentials folder; it holds the key alone, a trailing newline allowed.
public enum KeyFile {
    /// Why the key file was refused.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong and what to do.
        public let description: String

        /// Creates a failure.
        public init(_ description: String) { self.description = description }
    }

    /// The most bytes a key file may hold.
    public static let limit = 64 * 1024

    /// The key in `path`: the file's text without its trailing newline.
    ///
    /// Refused, each with what to do: a file (or, through a symbolic link, the file it leads
    /// to) that group or other users may read or change, unless it is inside
    /// `credentialsDirectory` (systemd makes those private to the service); an empty file;
    /// more than one line; spaces or control characters in the key.
    /// - Parameter credentialsDirectory: `$CREDENTIALS_DIRECTORY`, if set.
    public static func read(_ path: String, credentialsDirectory: String? = nil) throws(Failure) -> String {
        var link = stat()
        guard lstat(path, &link) == 0 else {
            throw Failure("cannot read the key file \(path): \(String(cString: strerror(errno))); check the path")
        }
        let isLink = link.st_mode & S_IFMT == S_IFLNK
        guard let resolved = realPath(path) else {
            throw Failure("cannot read the key file \(path): it is a symbolic link to nothing (\(String(cString: strerror(errno))))")
        }
        var info = stat()
        guard stat(resolved, &info) == 0 else {
            throw Failure("cannot read the key file \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw Failure("cannot read the key file \(path): it is a folder or a special file, not a regular file")
        }
        let trusted = credentialsDirectory.flatMap(realPath).map { resolved.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") } ?? false
        if !trusted, info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            if isLink {
                throw Failure(
                    "the key file \(path) is a symbolic link to \(resolved), which other users can read or change (mode \(mode)); run: chmod 600 \(resolved)")
            }
            throw Failure("the key file \(path) can be read or changed by other users (mode \(mode)); run: chmod 600 \(path)")
        }
        let text: String
        do {
            text = try FileRead.text(resolved, what: "the key file", limit: limit)
        } catch {
            throw Failure(error.description)
        }
        return try key(in: text, path: path)
    }

    /// The key a file's text holds: a trailing newline (`\n` or `\r\n`, any number) is
    /// trimmed; anything else around or inside the key is refused, since the panel would
    /// refuse it as a wrong key.
    public static func key(in text: String, path: String) throws(Failure) -> String {
        var key = Substring(text)
        while let last = key.last, last == "\n" || last == "\r" || last == "\r\n" { key.removeLast() }
        guard !key.isEmpty else {
            throw Failure("the key file \(path) is empty: put the panel's API key in it, alone on one line")
        }
        if key.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            throw Failure("the key file \(path) holds more than one line: keep only the panel's API key in it, on one line")
        }
        if key.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            throw Failure(
                "the key file \(path) holds spaces or control characters beside the key: keep only the panel's API key in it")
        }
        return String(key)
    }

    /// The canonical absolute path with every symbolic link resolved, or nil.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
