/// What one tick saw, for metrics and `/healthz`. Cheap to make: an idle tick with
/// thousands of jobs must stay next to free, so the jobs' next slots are not in it
/// (`SchedulerDaemon.nextSlots` gives them when a scrape asks).
public struct SchedulerTick: Sendable, Equatable {
    /// When the tick ran (the daemon's clock, seconds since the epoch).
    public var time: Double
    /// Whether the store answered this tick.
    public var storeAnswered: Bool
    /// Children running now.
    public var running: Int

    /// Creates a tick report.
    public init(time: Double, storeAnswered: Bool, running: Int) {
        self.time = time
        self.storeAnswered = storeAnswered
        self.running = running
    }
}
