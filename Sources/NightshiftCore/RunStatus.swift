/// How a run stands or ended: one vocabulary for `nightshift run` (its run records and
/// `--json`), the scheduler's history, notifications and metrics. The raw value is what
/// every record and output says.
///
/// A scheduled run's status is its child's own status when the child got far enough to say
/// (`refused`, `outcome unknown`, ...); the scheduler adds the states only it sees: a slot
/// waiting, skipped, or a child that could not start.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting to start (scheduler: the previous run of the job is still going, or no free
    /// run slot under `max_running`).
    case queued
    /// Running now.
    case running
    /// The script finished.
    case succeeded
    /// The script raised an error (its own, an argument error, or a panel failure it did not
    /// catch), or a scheduled child exited with a code that names no other status.
    case failed
    /// The script did not compile, or its `-- nightshift:` header is wrong.
    case syntaxError = "syntax error"
    /// The script file could not be read: missing, not readable by this user, or a folder.
    case scriptUnreadable = "script unreadable"
    /// The grant refused a call, or the script's declaration asks for more than the grant.
    case refused
    /// A write was sent without a usable answer: it may or may not have been applied.
    case outcomeUnknown = "outcome unknown"
    /// The run's time limit.
    case timedOut = "timed out"
    /// The memory limit.
    case memoryLimit = "memory limit"
    /// The instruction limit.
    case instructionLimit = "instruction limit"
    /// Too many tasks alive at once (`--max-tasks`).
    case taskLimit = "task limit"
    /// Stopped from outside: Ctrl-C or SIGTERM, or (scheduler) the daemon that held the run
    /// stopped and no outcome could be learned.
    case interrupted
    /// The audit log could not be written, so the run stopped before sending anything more.
    case auditFailure = "audit failure"
    /// The record says running, but its process is gone (`kill -9`, a power loss): the run
    /// never ended, and its writes still open stay outcome unknown.
    case crashed
    /// Scheduler: the daemon shut down and the run did not end within the grace period.
    case cancelled
    /// Scheduler: the slot did not run (previous run still going, job paused, catch-up
    /// policy, or it waited past `late_after`).
    case skipped
    /// Scheduler: the child process could not be started.
    case launchFailed = "launch failed"
    /// A plan that waited for approval (a job with `approval = "required"`) was not approved
    /// before its `approval_timeout` or its expiry: nothing was sent.
    case expired
    /// A plan that waited for approval was rejected (`nightshift reject`, the console):
    /// nothing was sent.
    case rejected

    /// The status a record holds as text: every raw value, and `ok`, which run records (and
    /// REPL sessions, until 0.2.0) said for a run that ended well. Any other text, which no
    /// release wrote, reads as ``failed`` rather than as a success.
    public init(recorded text: String) {
        if let status = RunStatus(rawValue: text) {
            self = status
        } else {
            self = text == "ok" ? .succeeded : .failed
        }
    }

    /// Whether the run is over.
    public var isFinal: Bool { self != .queued && self != .running }

    /// Whether the run did what it was asked.
    public var isSuccess: Bool { self == .succeeded }
}
