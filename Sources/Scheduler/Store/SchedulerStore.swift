import NightshiftCore


/// Where the scheduler keeps job state and run history: SQLite for one host
/// (`SQLiteStore`), PostgreSQL for several (`PostgresStore`). The daemon and the `jobs`
/// and `history` commands talk only to this interface.
///
/// The rules every store keeps:
/// - A run is a row keyed by (job, slot, attempt), inserted once, so a slot (and each retry
///   of it) runs at most once among all daemons.
/// - A due slot goes through two steps. `offer` inserts it *waiting*: `queued`, held by no
///   host (or `skipped`, as the job's overlap policy says). `claim(jobs:limit:at:)` then hands
///   a daemon at most as many waiting runs as it has free places, oldest first, within each
///   pool's size, one run at a time for a job that does not allow overlap; in PostgreSQL in
///   one statement (`FOR UPDATE SKIP LOCKED`, pool places taken by compare-and-set). A daemon
///   never takes a slot it cannot start now, so a slot one daemon has no place for is taken
///   by the next daemon that has one.
/// - A waiting run nobody claimed within `late_after` of its ready time is recorded
///   `skipped`, once, by whichever daemon's `skipLate` comes first (a daemon calls it after
///   its own claim, when its `snapshot` saw such a run).
/// - "Now" for offers, claims and leases is the store's clock (PostgreSQL's `now()`), never
///   a host's own: `snapshot` hands the daemon that clock once per tick.
/// - A run that is claimed or running is held by the host that claimed it under a lease,
///   renewed by `renewLeases`; a run whose lease expired is recorded `interrupted` by the
///   next daemon of another host that takes a `snapshot`.
/// - Runs are addressed by their row id after the offer, so per-attempt rows, retries and
///   notification records add columns and tables keyed by that id without changing the claim.
public protocol SchedulerStore: AnyObject, Sendable, ObservationStore {
    /// Where the store lives, safe to print: a file path or a URL without a password.
    var location: String { get }
    /// The name this process records on every claim and run (`--host`, else the host name).
    var host: String { get }
    /// How long a claimed run stays held by `host` without a renewal, in seconds.
    var lease: Double { get }

    // MARK: Time and control

    /// One look at the store per tick, in one round trip with PostgreSQL: its clock, whether
    /// pauses or triggers may have changed, how many waiting runs may start now and whether
    /// one has waited longer than `lateAfter` seconds, and the runs of other hosts whose lease
    /// had expired (now recorded `interrupted`).
    /// - Parameter time: the daemon's clock, used only by a store without a clock of its own.
    func snapshot(at time: Double, lateAfter: Int64) async throws -> StoreSnapshot
    /// Records `skipped` the waiting runs nobody claimed within `lateAfter` seconds of their
    /// ready time (a serial job's run behind a held run of the job waits for the job, not for
    /// a place, and is not late), each once whichever daemons call it at once, and returns them.
    func skipLate(lateAfter: Int64, at time: Double) async throws -> [JobRun]

    // MARK: Job state

    /// The last slot dealt with for each job (its watermark), shared by every host.
    func cursors() async throws -> [String: Int64]
    /// Moves jobs' watermarks forward (never back: another host may be ahead), all in one
    /// statement: the daemon saves every job that moved in a tick at once.
    func setCursors(_ cursors: [String: Int64]) async throws
    /// Pause overrides set with `nightshift jobs pause|resume`; absent means the file decides.
    func pausedOverrides() async throws -> [String: Bool]
    /// Pauses or resumes a job until the next pause/resume, whatever its file says.
    /// A job no daemon has seen yet gets its watermark at `now`.
    func setPaused(_ paused: Bool, job: String, now: Int64) async throws

    // MARK: Offers, claims and runs

    /// Inserts each offered slot unless its (job, slot, attempt) exists: waiting for a
    /// daemon with a free place, or `skipped` when the job's overlap policy says so
    /// (`OverlapSkip`), decided against every host's runs of the job. Offers of one job in
    /// one call are decided in order. One statement with PostgreSQL when no job repeats.
    /// - Returns: for each offer, in order, the new row, or nil when the row existed (offered
    ///   by another daemon, or before a restart).
    func offer(_ offers: [SlotOffer], at time: Double) async throws -> [OfferedSlot?]
    /// Offers a manual run (`jobs trigger`) at or just after `requested`: the first free second.
    func offerManual(job: String, requested: Int64, overlap: OverlapPolicy, pool: String?, at time: Double) async throws
        -> (id: Int64, slot: Int64)
    /// Claims for this host up to `limit` waiting runs of `jobs` whose ready time has come,
    /// oldest ready first (then oldest offered): never a second run of a serial job (overlap
    /// `skip` or `queue`) while one is held by any host, and never more runs of a pool than
    /// its size across all hosts. Each claimed run is held under a lease. One statement with
    /// PostgreSQL; a run another daemon is claiming at the same moment is skipped, not waited for.
    /// - Parameter time: the daemon's clock, used only by a store without a clock of its own.
    func claim(jobs: Set<String>, limit: Int, at time: Double) async throws -> [JobRun]
    /// Inserts a row held by this host from the start, or a final one, unless (job, slot,
    /// attempt) exists: for what one daemon decides alone (a `skipped` row for missed slots)
    /// and for tests that set up history. Returns the new row id, or nil.
    func record(_ claim: SlotClaim) async throws -> Int64?
    /// Sets the size of each cluster-wide pool (`[pools]`, `max_running_cluster`), keeping
    /// the places its runs hold.
    func setPools(_ sizes: [String: Int]) async throws
    /// Records that a claimed run's child started (and renews its lease).
    func markStarted(id: Int64, at time: Double, pid: Int32, pidStart: String?, log: String?) async throws
    /// Records how a run ended.
    func finish(id: Int64, _ end: RunEnd, at time: Double) async throws
    /// Extends the leases of runs this host holds; returns the ids it no longer holds
    /// (another host recorded them interrupted after the lease expired). SQLite renews too,
    /// so `history` can tell a run nobody watches any more.
    func renewLeases(ids: [Int64]) async throws -> Set<Int64>
    /// Runs this host left queued or running (a daemon on this host that is gone), with
    /// the recorded process identity so that an orphaned child can be found.
    func unfinishedRuns() async throws -> [UnfinishedRun]

    // MARK: History

    /// History, newest first; all jobs when `job` is nil.
    func history(job: String?, limit: Int) async throws -> [JobRun]
    /// Each job's newest run that did not end as skipped, for `jobs list`.
    func lastRuns() async throws -> [String: JobRun]
    /// Rows by host and status, with each host's first start and last end
    /// (`history --hosts`); one job's when `job` is given.
    func runsPerHost(job: String?) async throws -> [HostRuns]
    /// Deletes finished runs whose slot is before `cutoff`, and daemons last heard of before
    /// it; returns the runs' log files.
    func prune(before cutoff: Int64) async throws -> [String]

    // MARK: Daemons

    /// Writes this host's daemon row (`jobs status`).
    func recordDaemon(_ heartbeat: DaemonHeartbeat) async throws
    /// Every daemon with the runs it holds, the pools and the waiting runs.
    func clusterStatus() async throws -> ClusterStatus

    // MARK: Triggers

    /// Asks a daemon to run a job now (`nightshift jobs trigger`).
    func addTrigger(job: String, at time: Int64) async throws
    /// Removes and returns the pending triggers of `jobs`, oldest first. Triggers for other
    /// jobs stay for a daemon whose jobs file has them.
    func takeTriggers(jobs: Set<String>) async throws -> [(job: String, requestedAt: Int64)]

    /// Closes connections; the store is not used afterwards.
    func close() async
}

extension SchedulerStore {
    /// History, newest first, at most 50 runs.
    public func history(job: String? = nil) async throws -> [JobRun] { try await history(job: job, limit: 50) }

    /// Records how a run ended, with only the fields given.
    public func finish(
        id: Int64, status: RunStatus, at time: Double, exitCode: Int32? = nil, signal: Int32? = nil, reason: String? = nil
    ) async throws {
        try await finish(id: id, RunEnd(status: status, exitCode: exitCode, signal: signal, reason: reason), at: time)
    }

    /// Inserts a row held by this host, or a final one (tests, seeding); see `record(_:)`.
    public func claim(job: String, slot: Int64, kind: RunKind, status: RunStatus, reason: String? = nil) async throws
        -> Int64?
    {
        try await record(SlotClaim(job: job, slot: slot, kind: kind, status: status, reason: reason))
    }
}

/// A row one daemon inserts held by itself from the start, or final: `SchedulerStore.record`.
public struct SlotClaim: Sendable, Equatable {
    /// The job's name.
    public var job: String
    /// The scheduled time (seconds since the epoch); for a manual run, when it was asked for.
    public var slot: Int64
    /// Why the run happens.
    public var kind: RunKind
    /// The first status: `queued` (will run) or `skipped` (recorded, will not run).
    public var status: RunStatus
    /// Why, for a skipped slot.
    public var reason: String?
    /// 1 for a slot's first run, 2… for its retries.
    public var attempt: Int

    /// Creates a claim.
    public init(job: String, slot: Int64, kind: RunKind, status: RunStatus, reason: String? = nil, attempt: Int = 1) {
        self.job = job
        self.slot = slot
        self.kind = kind
        self.status = status
        self.reason = reason
        self.attempt = attempt
    }
}

/// The store as one daemon sees it at one tick.
public struct StoreSnapshot: Sendable, Equatable {
    /// The store's clock (seconds since the epoch); nil when the store has no clock of its
    /// own and the daemon's clock decides (SQLite, one host).
    public var now: Double?
    /// Changes whenever pauses or triggers may have changed.
    public var controlVersion: Int64
    /// Waiting runs (offered, claimed by no host) whose ready time has come and that wait for
    /// a place (not a serial job's run behind a held run of the job).
    public var waiting: Int
    /// Whether a waiting run has waited longer than `late_after` for a place: `skipLate`
    /// would record it.
    public var late: Bool
    /// Runs of other hosts whose lease had expired, recorded `interrupted` by this snapshot.
    public var interrupted: [LeaseExpiry]

    /// Creates a snapshot.
    public init(now: Double?, controlVersion: Int64, waiting: Int = 0, late: Bool = false, interrupted: [LeaseExpiry] = []) {
        self.now = now
        self.controlVersion = controlVersion
        self.waiting = waiting
        self.late = late
        self.interrupted = interrupted
    }
}

/// A run whose host stopped renewing its lease.
public struct LeaseExpiry: Sendable, Equatable, Decodable {
    /// The run's job.
    public var job: String
    /// Its slot.
    public var slot: Int64
    /// The host that held it.
    public var host: String
}

/// A run left queued or running by a daemon of this host that is gone.
public struct UnfinishedRun: Sendable {
    /// The run.
    public var record: JobRun
    /// The child's start time when it started (see `ProcessIdentity`).
    public var pidStart: String?
    /// Until when the daemon that holds the run last said it watches it (seconds since the
    /// epoch, the store's clock); nil when no lease was recorded.
    public var leaseUntil: Double?

    /// Creates one.
    public init(record: JobRun, pidStart: String?, leaseUntil: Double? = nil) {
        self.record = record
        self.pidStart = pidStart
        self.leaseUntil = leaseUntil
    }
}
