/// The `[scheduler]` table of a jobs file: where state lives and how the daemon ticks.
public struct SchedulerSettings: Sendable, Equatable {
    /// The SQLite file with job state and run history (when `store` is nil).
    public var statePath: String
    /// A PostgreSQL URL (`postgres://USER@HOST:PORT/DB`) shared by several daemons; nil
    /// keeps state in the SQLite file `statePath`. Never holds a password.
    public var store: String?
    /// A file whose first line is the PostgreSQL password; nil reads `PGPASSWORD`, then
    /// `PGPASSFILE` or `~/.pgpass`.
    public var passwordFile: String?
    /// Seconds a run stays held by its host without a renewal; after that another daemon
    /// records it interrupted and runs the job's next slots.
    public var lease: Double
    /// The folder that keeps each run's output (`<job>/<slot>.log`).
    public var logDirectory: String
    /// The program and leading arguments that run a script; nil means this executable.
    public var runner: [String]?
    /// How often the daemon wakes and re-reads the wall clock, in seconds (fractions allowed).
    public var tick: Double
    /// A slot noticed more than this many seconds after its time counts as missed.
    public var lateAfter: Int64
    /// On SIGTERM, how long running jobs may finish before they are killed, in seconds.
    public var shutdownGrace: Int64
    /// Seconds after a run's timeout before the daemon kills it: `nightshift run` enforces
    /// `--timeout` itself (and records its end), the daemon's kill is the backstop.
    public var killAfter: Int64
    /// Finished runs (and their logs) older than this many seconds are deleted; 0 keeps all.
    public var keepHistory: Int64
    /// Where the daemon serves Prometheus metrics (`/metrics`) and `/healthz`; nil serves nothing.
    public var metrics: MetricsAddress?
    /// At most this many children run at once across the daemon (`max_running`); nil: no limit.
    public var maxRunning: Int?
    /// Cluster-wide pools (`[pools]`): at most this many runs of the pool's jobs at once
    /// across all daemons of the store.
    public var pools: [String: Int] = [:]

    /// Settings with the defaults, keeping state beside the jobs file.
    public init(
        statePath: String, logDirectory: String? = nil, runner: [String]? = nil, tick: Double = 1,
        lateAfter: Int64 = 60, shutdownGrace: Int64 = 30, killAfter: Int64 = 5, keepHistory: Int64 = 90 * 86_400,
        store: String? = nil, passwordFile: String? = nil, lease: Double = 15, maxRunning: Int? = nil
    ) {
        self.statePath = statePath
        self.store = store
        self.passwordFile = passwordFile
        self.lease = lease
        self.logDirectory = logDirectory ?? statePath + ".runs"
        self.runner = runner
        self.tick = tick
        self.lateAfter = lateAfter
        self.shutdownGrace = shutdownGrace
        self.killAfter = killAfter
        self.keepHistory = keepHistory
        self.maxRunning = maxRunning
    }
}
