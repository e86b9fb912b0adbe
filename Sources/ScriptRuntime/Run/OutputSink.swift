import Foundation
import NightshiftConfig
import RunRecords

/// Where a run's `print` and `log.*` lines go: forwarded as they come, and a bounded copy
/// kept for the run record. Past ``maxOutput`` bytes, lines are no longer forwarded: one
/// line says so, and the run goes on. Safe to use from any thread.
public final class OutputSink: @unchecked Sendable {
    // Guarded by `lock`; `forward` is called with the lock held so lines stay in order.
    private let lock = NSLock()
    private var kept: [UInt8] = []
    private var truncated = false
    private var closed = false
    private let limit: Int
    private var forwarded = 0
    private var capped = false
    /// The most bytes forwarded in a run (`--max-output`).
    public let maxOutput: Int
    private let forward: @Sendable (OutputLine) -> Void

    /// One line of output.
    public struct OutputLine: Sendable {
        /// `print` output, or a `log` level (`debug`, `info`, `warn`, `error`).
        public var stream: String
        /// The bytes, newline included.
        public var bytes: [UInt8]
    }

    /// The default of `--max-output`: 10 MiB.
    public static let defaultMaxOutput = 10 << 20

    /// Creates a sink keeping at most `limit` bytes and forwarding at most `maxOutput`.
    public init(
        limit: Int = RunRecord.outputLimit, maxOutput: Int = OutputSink.defaultMaxOutput,
        forward: @escaping @Sendable (OutputLine) -> Void
    ) {
        self.limit = limit
        self.maxOutput = maxOutput
        self.forward = forward
    }

    /// Writes one line.
    public func write(stream: String, _ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if closed || capped { return }
        if bytes.count > maxOutput - forwarded {
            capped = true
            let notice = Array("output passed the run's limit of \(Limits.describeBytes(maxOutput)) (--max-output); the rest is dropped\n".utf8)
            if limit - kept.count > 0 { kept += Array("[warn] ".utf8) + notice.prefix(limit - kept.count) }
            forward(OutputLine(stream: "warn", bytes: notice))
            return
        }
        forwarded += bytes.count
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
