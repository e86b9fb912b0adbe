import NightshiftCore


/// Where the scheduler keeps job state and run history: SQLite for one host
/// (`SQLiteStore`), PostgreSQL for several (`PostgresStore`). The daemon and the `jobs`
/// and `history` commands talk only to this interface.
///
/// The rules every store keeps:
/// - A run is a row keyed by (job, slot, attempt); `claim` inserts it in one statement and
///   says whether this host won it, so a slot (and each retry of it) runs at most once
///   among all daemons.
/// - "Now" for claims and leases is the store's clock (PostgreSQL's `now()`), never a
///   host's own: `snapshot()` hands the daemon that clock once per tick.
/// - A run that is queued or running is held by the host that claimed it under a lease,
///   renewed by `renewLeases`; a run whose lease expired is recorded `interrupted` by the
///   next daemon of another host that takes a `snapshot()`.
/// - Runs are addressed by their row id after the claim, so per-attempt rows, retries and
///   notification records (issue 12) add columns and tables keyed by that id without
///   changing the claim.
public protocol SchedulerStore: AnyObject, Sendable, ObservationStore {
    /// Where the store lives, safe to print: a file path or a URL without a password.
    var location: String { get }
    /// The name this process records on every claim and run (`--host`, else the host name).
    var host: String { get }
    /// How long a claimed run stays held by `host` without a renewal, in seconds.
    var lease: Double { get }

    // MARK: Time and control

    /// One look at the store per tick, in one round trip: its clock, whether pauses or
    /// triggers may have changed, which jobs have a live run held by another host, and the
    /// runs of other hosts whose lease had expired, now recorded `interrupted`.
    func snapshot() async throws -> StoreSnapshot

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

    // MARK: Claims and runs

    /// Inserts the run of (job, slot) unless it exists. Returns the new row id if this host
    /// won the slot, nil if the slot was claimed before (by any host, before or after a
    /// restart) or, with `notBefore`, is not yet due in the store's clock.
    func claim(_ claim: SlotClaim) async throws -> Int64?
    /// Claims several slots of different jobs at once (one statement with PostgreSQL): the
    /// result for each claim, in order, as `claim(_:)` would give it.
    func claimAll(_ claims: [SlotClaim]) async throws -> [Int64?]
    /// Claims a manual slot at or just after `requested`: the first free second.
    func claimManual(job: String, requested: Int64) async throws -> (id: Int64, slot: Int64)
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
    /// Deletes finished runs whose slot is before `cutoff` and returns their log files.
    func prune(before cutoff: Int64) async throws -> [String]

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

    /// Claims a slot with a first status (tests, seeding); see `claim(_:)`.
    public func claim(job: String, slot: Int64, kind: RunKind, status: RunStatus, reason: String? = nil) async throws
        -> Int64?
    {
        try await claim(SlotClaim(job: job, slot: slot, kind: kind, status: status, reason: reason))
    }
}

/// What a daemon asks for when it claims a slot.
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
    /// The earliest time (seconds since the epoch, the store's clock) the slot may be
    /// claimed: its jittered start. nil claims at any time (skipped rows, manual runs).
    public var notBefore: Int64?
    /// 1 claims the slot; 2… claims a retry of it, held by the host that ran the attempt before.
    public var attempt: Int
    /// For a retry: when it may start (the store's clock), recorded so that a restarted
    /// daemon knows whether the retry is still due.
    public var retryAt: Double?

    /// Creates a claim.
    public init(
        job: String, slot: Int64, kind: RunKind, status: RunStatus, reason: String? = nil, notBefore: Int64? = nil,
        attempt: Int = 1, retryAt: Double? = nil
    ) {
        self.job = job
        self.slot = slot
        self.kind = kind
        self.status = status
        self.reason = reason
        self.notBefore = notBefore
        self.attempt = attempt
        self.retryAt = retryAt
    }
}

/// The store as one daemon sees it at one tick.
public struct StoreSnapshot: Sendable, Equatable {
    /// The store's clock (seconds since the epoch); nil when the store has no clock of its
    /// own and the daemon's clock decides (SQLite, one host).
    public var now: Double?
    /// Changes whenever pauses or triggers may have changed.
    public var controlVersion: Int64
    /// Jobs with a queued or running run held by another host under a live lease: the
    /// overlap policy treats them as busy.
    public var busyElsewhere: Set<String>
    /// Runs of other hosts whose lease had expired, recorded `interrupted` by this snapshot.
    public var interrupted: [LeaseExpiry]

    /// Creates a snapshot.
    public init(now: Double?, controlVersion: Int64, busyElsewhere: Set<String> = [], interrupted: [LeaseExpiry] = []) {
        self.now = now
        self.controlVersion = controlVersion
        self.busyElsewhere = busyElsewhere
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
