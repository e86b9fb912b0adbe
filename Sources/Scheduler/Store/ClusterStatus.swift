/// Every daemon of a store, its pools and the slots waiting for a place, as
/// `nightshift jobs status` shows them.
public struct ClusterStatus: Sendable, Equatable, Encodable {
    /// One daemon: its last heartbeat and the runs it holds now.
    public struct Daemon: Sendable, Equatable, Encodable {
        /// Its `--host` name.
        public var host: String
        /// What it last wrote about itself.
        public var heartbeat: DaemonHeartbeat
        /// Runs it holds: claimed and about to start, or running.
        public var running: Int
        /// Places it has for another run now; nil: no limit.
        public var free: Int?

        /// Creates one.
        public init(host: String, heartbeat: DaemonHeartbeat, running: Int) {
            self.host = host
            self.heartbeat = heartbeat
            self.running = running
            free = heartbeat.maxRunning.map { max(0, $0 - running) }
        }
    }

    /// A cluster-wide limit: a `[pools]` entry, or a job's `max_running_cluster`.
    public struct Pool: Sendable, Equatable, Encodable {
        /// The pool's name (`job:NAME` for a job's `max_running_cluster`).
        public var name: String
        /// At most this many runs at once across all daemons.
        public var size: Int
        /// Runs that hold a place now.
        public var held: Int

        /// Creates one.
        public init(name: String, size: Int, held: Int) {
            self.name = name
            self.size = size
            self.held = held
        }
    }

    /// The store's clock when it was read (seconds since the epoch); nil when the store has
    /// no clock of its own (SQLite: the reader's clock applies).
    public var now: Double?
    /// Every daemon that ever wrote a heartbeat and was not pruned, by host name.
    public var daemons: [Daemon]
    /// Every pool, by name.
    public var pools: [Pool]
    /// Slots offered and not claimed yet, whose time has come: waiting for a free place.
    public var waiting: Int
    /// When the oldest of them became ready to start.
    public var oldestWaiting: Double?

    /// Creates one.
    public init(now: Double?, daemons: [Daemon], pools: [Pool], waiting: Int, oldestWaiting: Double?) {
        self.now = now
        self.daemons = daemons
        self.pools = pools
        self.waiting = waiting
        self.oldestWaiting = oldestWaiting
    }
}
