import Foundation

/// Where a run's `print` and `log.*` lines go: forwarded as they come, and a bounded copy
/// kept for the run record. Safe to use from any thread.
public final class OutputSink: @unchecked Sendable {
    // Guarded by `lock`; `forward` is called with the lock held so lines stay in order.
    private let lock = NSLock()
    private var kept: [UInt8] = []
    private var truncated = false
    private var closed = false
    private let limit: Int
    private let forward: @Sendable (OutputLine) -> Void

    /// One line of output.
    public struct OutputLine: Sendable {
        /// `print` output, or a `log` level (`debug`, `info`, `warn`, `error`).
        public var stream: String
        /// The bytes, newline included.
        public var bytes: [UInt8]
    }

    /// Creates a sink keeping at most `limit` bytes.
    public init(limit: Int = RunRecord.outputLimit, forward: @escaping @Sendable (OutputLine) -> Void) {
        self.limit = limit
        self.forward = forward
    }

    /// Writes one line.
    public func write(stream: String, _ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if closed { return }
        if stream != "print" {
            let prefix = Array("[\(stream)] ".utf8)
            if limit - kept.count > prefix.count { kept += prefix }
        }
        let roomNow = limit - kept.count
        if bytes.count <= roomNow {
            kept += bytes
        } else {
            if roomNow > 0 { kept += bytes.prefix(roomNow) }
            truncated = true
        }
        forward(OutputLine(stream: stream, bytes: bytes))
    }

    /// Drops every later line: the run has ended, though the script may run a few more
    /// instructions before the VM notices.
    public func close() {
        lock.lock()
        closed = true
        lock.unlock()
    }

    /// The kept output, with a note when some was dropped.
    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        let body = String(decoding: kept, as: UTF8.self)
        return truncated ? body + "\n[output truncated at \(limit) bytes]\n" : body
    }
}
