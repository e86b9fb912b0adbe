import NightshiftCore
/// A job's `retry = { attempts = 3, delay = "1m", backoff = 2.0, max_delay = "15m" }`: how
/// often, and how long after, a run that failed before sending anything is run again.
///
/// Only a run whose child says it sent nothing (no write, no notification) and failed for a
/// reason worth another try is retried: the panel unreachable or down, or a timeout before
/// any write (`RunResult.retryable`). Everything else (outcome unknown, partial runs,
/// refusals, script errors, a child without a result) is final.
public struct JobRetryPolicy: Sendable, Equatable {
    /// Runs per slot at most, the first included (`attempts = 3`: two retries).
    public var attempts: Int
    /// Seconds before the first retry.
    public var delay: Int64
    /// Each further retry waits this many times longer than the one before.
    public var backoff: Double
    /// No retry waits longer than this many seconds.
    public var maxDelay: Int64

    /// The most `attempts` a job may ask for.
    public static let maxAttempts = 10

    /// Creates a policy; see the properties.
    public init(attempts: Int, delay: Int64 = 60, backoff: Double = 2, maxDelay: Int64 = 900) {
        self.attempts = attempts
        self.delay = delay
        self.backoff = backoff
        self.maxDelay = maxDelay
    }

    /// Seconds to wait after attempt `attempt` (1 for the slot's first run) failed.
    public func delay(after attempt: Int) -> Int64 {
        var seconds = Double(delay)
        for _ in 1..<max(attempt, 1) { seconds *= backoff }
        return min(Int64(min(seconds, Double(Int64.max / 2)).rounded()), maxDelay)
    }

    /// Reads `retry` from a job (or `[defaults]`); nil when absent.
    init?(reader r: TOMLReader) throws(ConfigurationError) {
        guard let table = try r.table("retry") else { return nil }
        let t = TOMLReader(table: table, context: "\(r.context) retry", fileName: r.fileName)
        try t.rejectUnknown(["attempts", "delay", "backoff", "max_delay"])
        guard let attempts = try t.int("attempts") else {
            throw t.fail("attempts: missing; write e.g. retry = { attempts = 3, delay = \"1m\" } (3 runs at most)")
        }
        guard (1...Self.maxAttempts).contains(attempts) else {
            throw t.fail("attempts: must be between 1 and \(Self.maxAttempts) (runs per slot, the first included)")
        }
        let delay = try t.duration("delay") ?? 60
        guard delay >= 1 else { throw t.fail("delay: must be at least 1s") }
        let backoff = try t.number("backoff", atLeast: 1) ?? 2
        guard backoff <= 10 else { throw t.fail("backoff: must be between 1 and 10 (each wait this many times the last)") }
        let maxDelay = try t.duration("max_delay") ?? max(900, delay)
        guard maxDelay >= delay else {
            throw t.fail("max_delay: must be at least delay (\(DurationText.text(delay)))")
        }
        self.init(attempts: attempts, delay: delay, backoff: backoff, maxDelay: maxDelay)
    }
}
