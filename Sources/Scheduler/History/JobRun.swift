import NightshiftCore

/// One row of run history: a slot of a job and what became of it.
public struct JobRun: Sendable, Equatable, Codable {
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
    /// The child's own run id (`nightshift run`), from its receipt: the key of its run
    /// record and audit rows.
    public var runID: String?
    /// Writes the child sent to the panel, from its receipt.
    public var writesSent: Int?
    /// Credits the child moved, from its receipt.
    public var creditsMoved: Int?
    /// 1 for a slot's first run, 2… for its retries (`retry`); each attempt is a row.
    public var attempt: Int
    /// When a retry may start (seconds since the epoch); nil for first attempts.
    public var retryAt: Double?
    /// Each panel's run, from the child's receipt (one for a run on one panel, one per panel
    /// for a fleet), as the daemon saw the run end: for notifications and metrics, not kept
    /// in the store (nil when read from it).
    public var panels: [PanelOutcome]?

    /// Creates a record.
    public init(
        id: Int64, job: String, slot: Int64, kind: RunKind, status: RunStatus, reason: String? = nil,
        startedAt: Double? = nil, finishedAt: Double? = nil, exitCode: Int32? = nil, signal: Int32? = nil,
        pid: Int32? = nil, log: String? = nil, host: String? = nil, runID: String? = nil, writesSent: Int? = nil,
        creditsMoved: Int? = nil, attempt: Int = 1, retryAt: Double? = nil
    ) {
        self.attempt = attempt
        self.retryAt = retryAt
        self.runID = runID
        self.writesSent = writesSent
        self.creditsMoved = creditsMoved
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

/// How a run ended, as the daemon records it.
public struct RunEnd: Sendable, Equatable {
    /// The final status.
    public var status: RunStatus
    /// The child's exit code, if it exited.
    public var exitCode: Int32?
    /// The signal that ended the child, if one did.
    public var signal: Int32?
    /// Why, in words; nil keeps the reason already recorded.
    public var reason: String?
    /// The child's run id, writes sent and credits moved, from its receipt.
    public var runID: String?
    /// See ``JobRun/writesSent``.
    public var writesSent: Int?
    /// See ``JobRun/creditsMoved``.
    public var creditsMoved: Int?

    /// Creates an end.
    public init(
        status: RunStatus, exitCode: Int32? = nil, signal: Int32? = nil, reason: String? = nil, runID: String? = nil,
        writesSent: Int? = nil, creditsMoved: Int? = nil
    ) {
        self.status = status
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.runID = runID
        self.writesSent = writesSent
        self.creditsMoved = creditsMoved
    }
}
