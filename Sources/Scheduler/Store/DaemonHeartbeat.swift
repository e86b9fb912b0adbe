/// What a daemon writes about itself into the store, three times per lease and when it
/// stops: `nightshift jobs status` reads it back on any host.
public struct DaemonHeartbeat: Sendable, Equatable, Encodable {
    /// The daemon's process id on its host.
    public var pid: Int32
    /// When the daemon started (seconds since the epoch, the store's clock).
    public var startedAt: Double
    /// The tick that wrote this heartbeat (the store's clock).
    public var lastTick: Double
    /// The daemon's `tick`, in seconds.
    public var tick: Double
    /// The daemon's `max_running`; nil: no limit.
    public var maxRunning: Int?
    /// When the daemon stopped (graceful shutdown); nil while it runs.
    public var stoppedAt: Double?

    /// Creates one.
    public init(pid: Int32, startedAt: Double, lastTick: Double, tick: Double, maxRunning: Int?, stoppedAt: Double? = nil) {
        self.pid = pid
        self.startedAt = startedAt
        self.lastTick = lastTick
        self.tick = tick
        self.maxRunning = maxRunning
        self.stoppedAt = stoppedAt
    }
}
