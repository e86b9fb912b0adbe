import NightshiftCore

/// A due slot offered to every daemon of a store: `SchedulerStore.offer` records it as a run
/// that waits, held by no host, until a daemon with a free place claims it
/// (`SchedulerStore.claim(jobs:limit:at:)`), or records it `skipped` when the job's overlap
/// policy says so.
///
/// Offering and claiming are two steps so that a daemon never takes a slot it cannot start
/// now: a slot no daemon has room for stays in the store for whichever daemon frees a place
/// first. A later kind of waiting slot (one that waits for a plan's approval) is a third
/// state beside "waiting for a place": offered, not claimable until approved.
public struct SlotOffer: Sendable, Equatable {
    /// The job's name.
    public var job: String
    /// The scheduled time (seconds since the epoch); for a manual run, when it was asked for.
    public var slot: Int64
    /// Why the run happens.
    public var kind: RunKind
    /// 1 for a slot's first run, 2… for its retries.
    public var attempt: Int
    /// When the run may start, in the store's clock: the slot's jittered start, a retry's
    /// time, or when a catch-up or manual run was asked for. `late_after` counts from here.
    public var readyAt: Double
    /// The job's overlap policy, applied by the store (see `OverlapSkip`).
    public var overlap: OverlapPolicy
    /// The cluster-wide limit the run counts against (`pool`, or the job's own
    /// `max_running_cluster`), nil for none.
    public var pool: String?
    /// Recorded with the run (a retry says which attempt it is).
    public var reason: String?

    /// Creates an offer.
    public init(
        job: String, slot: Int64, kind: RunKind, attempt: Int = 1, readyAt: Double, overlap: OverlapPolicy = .allow,
        pool: String? = nil, reason: String? = nil
    ) {
        self.job = job
        self.slot = slot
        self.kind = kind
        self.attempt = attempt
        self.readyAt = readyAt
        self.overlap = overlap
        self.pool = pool
        self.reason = reason
    }

    /// Whether the job runs one run at a time (`skip`, `queue`): the store starts its waiting
    /// runs one after another, oldest first, never beside a run of the job held by any host.
    public var serial: Bool { overlap != .allow }
}

/// What became of an offer that made a new row.
public struct OfferedSlot: Sendable, Equatable {
    /// The run's row id.
    public var id: Int64
    /// `queued` (waiting for a daemon with a free place) or `skipped` (overlap policy).
    public var status: RunStatus
    /// Why it was skipped.
    public var reason: String?

    /// Creates one.
    public init(id: Int64, status: RunStatus, reason: String? = nil) {
        self.id = id
        self.status = status
        self.reason = reason
    }
}
