/// How reads are retried: a bounded number of attempts with exponential backoff.
/// Mutations are never retried.
public struct PanelRetryPolicy: Sendable {
    /// Total attempts for a read, the first included (1 means no retry).
    public var maxAttempts: Int
    /// Delay before the second attempt.
    public var initialDelay: Duration
    /// Each further delay is the previous one times this factor...
    public var multiplier: Double
    /// ...but never more than this.
    public var maxDelay: Duration
    /// Sleeps between attempts; injected so tests don't wait.
    public var sleep: @Sendable (Duration) async throws -> Void

    /// Creates a policy; the default is 3 attempts, 200 ms then 400 ms apart.
    public init(
        maxAttempts: Int = 3,
        initialDelay: Duration = .milliseconds(200),
        multiplier: Double = 2,
        maxDelay: Duration = .seconds(5),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.sleep = sleep
    }

    /// No retries at all.
    public static var none: PanelRetryPolicy { PanelRetryPolicy(maxAttempts: 1) }

    /// The delay after failed attempt number `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, attempt) { delay = delay * multiplier }
        return min(delay, maxDelay)
    }
}
