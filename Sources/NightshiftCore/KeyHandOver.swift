import Foundation

/// The key a scheduler hands each run without putting it in the run's environment (see
/// the Scheduler's `ProcessLauncher`): the pipe's reading end is a file descriptor named by
/// `NIGHTSHIFT_API_KEY_FD` (a number, not a secret). The child reads it once, at start, and
/// closes it, so nothing it starts inherits it.
public enum KeyHandOver {
    /// The variable naming the descriptor.
    public static let variable = "NIGHTSHIFT_API_KEY_FD"

    /// The longest key that can be handed over: what a pipe holds without a reader.
    public static let limit = 16 * 1024

    /// The handed-over key, read (and the descriptor closed, the variable removed) the first
    /// time it is asked for; nil when none was handed over. The executable asks at start.
    public static let key: String? = take()

    private static func take() -> String? {
        guard let text = getenv(variable).map({ String(cString: $0) }) else { return nil }
        unsetenv(variable)
        guard let descriptor = Int32(text), descriptor > 2 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        let key = String(decoding: bytes, as: UTF8.self)
        return key.isEmpty ? nil : key
    }
}
