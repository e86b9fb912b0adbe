import LuaHost

/// How a run ended; the raw value is what run records and `--json` say.
public enum RunStatus: String, Sendable, Hashable, CaseIterable {
    /// Still running.
    case running
    /// The record says running, but its process is gone (`kill -9`, a power loss): the run
    /// never ended, and its writes still open stay outcome unknown.
    case crashed
    /// The script finished.
    case ok
    /// The script raised an error (its own, an argument error, or a panel failure it did not catch).
    case failed
    /// The script did not compile, or could not start.
    case syntaxError = "syntax error"
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
    /// Stopped from outside (Ctrl-C).
    case interrupted
    /// The audit log could not be written, so the run stopped before sending anything more.
    case auditFailure = "audit failure"

    /// The status a Lua limit maps to.
    public init(_ limit: LuaLimit) {
        switch limit {
        case .time: self = .timedOut
        case .memory: self = .memoryLimit
        case .instructions: self = .instructionLimit
        case .interrupted: self = .interrupted
        case .tasks: self = .taskLimit
        case .stopped: self = .failed
        }
    }
}
