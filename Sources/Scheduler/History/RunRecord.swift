/// One row of run history: a slot of a job and what became of it.
public struct RunRecord: Sendable, Equatable, Codable {
    /// Row id, increasing in the order slots were claimed.
    public var id: Int64
    /// The job's name.
    public var job: String
    /// The scheduled time (seconds since the epoch); for a manual run, when it was asked for.
    public var slot: Int64
    /// Why the run happened.
    public var kind: RunKind
    /// What became of it.
    public var status: RunStatus
    /// Why it was skipped, interrupted or failed, in words.
    public var reason: String?
    /// When the child started (seconds since the epoch, fractional).
    public var startedAt: Double?
    /// When the child ended.
    public var finishedAt: Double?
    /// The child's exit code, if it exited.
    public var exitCode: Int32?
    /// The signal that ended the child, if one did.
    public var signal: Int32?
    /// The child's process id while it ran.
    public var pid: Int32?
    /// The file with the child's output.
    public var log: String?
    /// The host whose daemon claimed the slot (`--host`, else the machine's host name).
    public var host: String?

    /// Creates a record.
    public init(
        id: Int64, job: String, slot: Int64, kind: RunKind, status: RunStatus, reason: String? = nil,
        startedAt: Double? = nil, finishedAt: Double? = nil, exitCode: Int32? = nil, signal: Int32? = nil,
        pid: Int32? = nil, log: String? = nil, host: String? = nil
    ) {
        self.id = id
        self.job = job
        self.slot = slot
        self.kind = kind
        self.status = status
        self.reason = reason
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.signal = signal
        self.pid = pid
        self.log = log
        self.host = host
    }
}

/// Why a run happened.
public enum RunKind: String, Sendable, Codable {
    /// Its slot came while the daemon ran.
    case scheduled
    /// Its slot passed while the daemon was down and the catch-up policy replayed it.
    case catchUp = "catch-up"
    /// `nightshift jobs trigger`.
    case manual
}

/// What became of a slot. Every slot that reaches the store has exactly one row.
public enum RunStatus: String, Sendable, Codable {
    /// Waiting for the previous run to end (overlap policy `queue`, catch-up `all`).
    case queued
    /// The child is running.
    case running
    /// The child exited with status 0.
    case succeeded
    /// The child exited with another status or was killed by a signal it did not expect.
    case failed
    /// The child was killed at its deadline.
    case timedOut = "timed-out"
    /// The daemon stopped (crash, kill -9) while the run was queued or running.
    case interrupted
    /// The daemon shut down (SIGTERM) and the run did not end within the grace period.
    case cancelled
    /// The slot did not run: previous run still going, job paused or catch-up policy.
    case skipped
    /// The child could not be started.
    case launchFailed = "launch-failed"

    /// Whether the run is over.
    public var isFinal: Bool { self != .queued && self != .running }
}
