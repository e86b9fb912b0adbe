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
    /// Places for another run under `max_running`; nil: no limit.
    public var free: Int?
    /// Runs waiting in the store for a daemon with a free place (all daemons' jobs), as the
    /// tick's snapshot counted them.
    public var waiting: Int

    /// Creates a tick report.
    public init(time: Double, storeAnswered: Bool, running: Int, free: Int? = nil, waiting: Int = 0) {
        self.time = time
        self.storeAnswered = storeAnswered
        self.running = running
        self.free = free
        self.waiting = waiting
    }
}
