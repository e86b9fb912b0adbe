/// How a client behaves when the panel says it is overloaded (HTTP 429, or 503 for reads):
/// one backoff shared by every request of the client, exponential with full jitter.
///
/// A backoff lasts `Retry-After` when the panel sends one, plus a random share (full
/// jitter) of `initialDelay * 2^n`, capped at `maxDelay`; `n` counts the overload answers
/// in a row to requests sent after the previous backoff was decided, so a burst of answers
/// to requests already in flight raises it once, not once per request.
public struct OverloadPolicy: Sendable {
    /// Overload answers one call accepts before it gives up (the first attempt included:
    /// 6 means up to 5 resends after a 429).
    public var maxAttempts: Int
    /// The ceiling of the first backoff's random part.
    public var initialDelay: Duration
    /// The largest ceiling of the random part.
    public var maxDelay: Duration
    /// A `Retry-After` longer than this is not waited for: the call gives up at once.
    public var maxRetryAfter: Duration

    /// Creates a policy; the default accepts 6 overload answers per call, with backoff
    /// ceilings from 0.5 s up to 30 s, and waits at most 60 s for a `Retry-After`.
    public init(
        maxAttempts: Int = 6, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The ceiling of the random part after `streak` overload answers in a row (1-based).
    public func ceiling(streak: Int) -> Duration {
        var ceiling = initialDelay
        for _ in 1..<max(1, min(streak, 40)) {
            ceiling = ceiling * 2
            if ceiling >= maxDelay { return maxDelay }
        }
        return min(ceiling, maxDelay)
    }
}
