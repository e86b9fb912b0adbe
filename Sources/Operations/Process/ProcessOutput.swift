import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Standard output and standard error written by threads of their own, so that a reader
/// that is slow, or never reads, cannot hold `nightshift run` past its deadline.
///
/// A write waits for room in a bounded queue, but never past the run's deadline: after it,
/// what does not fit is dropped and counted, and ``finish(until:)`` says so on standard error.
public final class ProcessOutput: Sendable {
    /// Standard output.
    public let standardOutput: StreamWriter
    /// Standard error.
    public let standardError: StreamWriter
    /// Writes wait for room until then, and drop afterwards.
    public let deadline: ContinuousClock.Instant

    /// Starts both writer threads; writes wait for room until `deadline`, each queue holding at most `queueLimit` bytes.
    public init(deadline: ContinuousClock.Instant, queueLimit: Int = 1 << 20) {
        self.deadline = deadline
        standardOutput = StreamWriter(descriptor: STDOUT_FILENO, limit: queueLimit, name: "nightshift stdout")
        standardError = StreamWriter(descriptor: STDERR_FILENO, limit: queueLimit, name: "nightshift stderr")
    }

    /// Writes `text` and a newline to standard output.
    public func out(_ text: String) { standardOutput.write(Array((text + "\n").utf8), waitingUntil: deadline) }

    /// Writes `text` and a newline to standard error.
    public func error(_ text: String) { standardError.write(Array((text + "\n").utf8), waitingUntil: deadline) }

    /// Waits until what is queued so far is written (never past the deadline): before a
    /// prompt written straight to the terminal.
    public func flush() {
        _ = standardOutput.flush(until: deadline)
        _ = standardError.flush(until: deadline)
    }

    /// Waits until everything queued is written, but not past `limit`; then reports on
    /// standard error how much output was dropped, if any.
    public func finish(until limit: ContinuousClock.Instant) {
        let outputDone = standardOutput.flush(until: limit - .milliseconds(60))
        let dropped = standardOutput.droppedBytes + (outputDone ? 0 : standardOutput.queuedBytes)
        if dropped > 0 {
            standardError.write(
                Array("nightshift run: \(dropped) bytes of output were dropped: standard output was not read in time\n".utf8),
                waitingUntil: limit)
        }
        // Standard error stuck as well: nothing more can be said.
        _ = standardError.flush(until: limit)
    }
}

/// One file descriptor written by a thread of its own from a bounded queue.
public final class StreamWriter: @unchecked Sendable {
    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var queued = 0
    private var writing = false
    private var dropped = 0
    private let descriptor: Int32
    private let limit: Int

    /// Starts a writer thread for `descriptor`, queueing at most `limit` bytes.
    public init(descriptor: Int32, limit: Int, name: String) {
        self.descriptor = descriptor
        self.limit = limit
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Bytes dropped because the queue stayed full past the deadline.
    public var droppedBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return dropped
    }

    /// Bytes queued and not yet written.
    public var queuedBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return queued
    }

    /// Queues `bytes`, waiting for room until `deadline`; drops them when there is none by then.
    public func write(_ bytes: [UInt8], waitingUntil deadline: ContinuousClock.Instant) {
        guard !bytes.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        // A chunk larger than the whole queue is let in when the queue is empty.
        while queued > 0, queued + bytes.count > limit {
            guard let date = Self.date(deadline), condition.wait(until: date) || ContinuousClock.now < deadline else {
                dropped += bytes.count
                return
            }
        }
        chunks.append(bytes)
        queued += bytes.count
        condition.broadcast()
    }

    /// Waits until the queue is written, but not past `limit`; whether it was.
    public func flush(until limit: ContinuousClock.Instant) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queued > 0 || writing {
            guard let date = Self.date(limit), condition.wait(until: date) || ContinuousClock.now < limit else { return false }
        }
        return true
    }

    private func loop() {
        while true {
            condition.lock()
            while chunks.isEmpty { condition.wait() }
            let chunk = chunks.removeFirst()
            writing = true
            condition.unlock()
            Self.writeAll(chunk, to: descriptor)
            condition.lock()
            queued -= chunk.count
            writing = false
            condition.broadcast()
            condition.unlock()
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    return  // closed or broken: nothing more can be written
                }
            }
        }
    }

    /// The wall-clock date of `instant`, for `NSCondition`; nil once it has passed.
    private static func date(_ instant: ContinuousClock.Instant) -> Date? {
        let left = instant - ContinuousClock.now
        guard left > .zero else { return nil }
        let (seconds, atto) = left.components
        return Date(timeIntervalSinceNow: Double(seconds) + Double(atto) / 1e18)
    }
}
