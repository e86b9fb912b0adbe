/// How hard the scheduler tries to deliver a job notification.
public struct NotificationTuning: Sendable {
    /// The most one attempt may take (connect, send and answer, or the command's run). An
    /// attempt that times out after sending is never repeated: the receiver may have it.
    public var attemptTimeout: Duration
    /// The waits before each retry of a delivery that reached no one or was refused with a
    /// 5xx or 429; so at most `retryDelays.count + 1` attempts.
    public var retryDelays: [Duration]
    /// On shutdown, how long deliveries still under way may finish before they are
    /// recorded as not sent.
    public var shutdownGrace: Duration
    /// How much of the end of a run's output a webhook or command gets.
    public var outputTail: Int

    /// 10 s per attempt; retries after 2, 4, 8, 16 and 30 s (so at most about two minutes
    /// in all); 5 s grace at shutdown; 4 KiB of output.
    public init(
        attemptTimeout: Duration = .seconds(10),
        retryDelays: [Duration] = [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30)],
        shutdownGrace: Duration = .seconds(5), outputTail: Int = 4096
    ) {
        self.attemptTimeout = attemptTimeout
        self.retryDelays = retryDelays
        self.shutdownGrace = shutdownGrace
        self.outputTail = outputTail
    }
}
