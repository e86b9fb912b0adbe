/// The exit codes of `nightshift run` and `nightshift check` (docs/exit-codes.md): what the
/// command ends with, and what the scheduler reads back from a child that left no receipt.
public enum RunExitCode: Int32, Sendable, CaseIterable {
    /// The script finished.
    case ok = 0
    /// The script raised an error (its own, or a panel failure it did not catch).
    case scriptFailed = 1
    /// The grant refused a call or a credit cap, or the script's declaration asks for more.
    case refused = 2
    /// A limit ended the run: time (including the process watchdog), memory, instructions, Ctrl-C.
    case limit = 3
    /// A write was sent without a usable answer: check the panel before running again.
    case outcomeUnknown = 4
    /// The script does not compile, or its `nightshift:` header is wrong.
    case badScript = 5
    /// Configuration: nightshift.toml, the API key, the panel URL, the state folder.
    case configuration = 6
    /// The audit log could not be written; the run stopped before sending anything unaudited.
    case auditFailure = 7
    /// The script file could not be read: missing, not readable by this user, or a folder.
    case scriptUnreadable = 8
    /// A plan waiting for approval was not approved in time (`nightshift plan
    /// --await-approval`, a job with `approval = "required"`): nothing was sent.
    case expired = 9
    /// A plan waiting for approval was rejected: nothing was sent.
    case rejected = 10
    /// A fleet run (`--panels`) whose panels did not all end the same way: some succeeded, or
    /// they failed differently; the fleet summary names each. Also `panels test` when a
    /// panel fails its test.
    case somePanelsFailed = 11
    /// The command line was wrong (ArgumentParser's usage error).
    case usage = 64

    /// The code a run's status ends the process with.
    public init(_ status: RunStatus) {
        switch status {
        case .succeeded: self = .ok
        case .refused: self = .refused
        case .timedOut, .memoryLimit, .instructionLimit, .taskLimit, .interrupted: self = .limit
        case .outcomeUnknown: self = .outcomeUnknown
        case .syntaxError: self = .badScript
        case .scriptUnreadable: self = .scriptUnreadable
        case .auditFailure: self = .auditFailure
        case .expired: self = .expired
        case .rejected: self = .rejected
        case .failed, .running, .crashed, .queued, .cancelled, .skipped, .launchFailed: self = .scriptFailed
        }
    }

    /// What the code means, in words, for a history line.
    public var meaning: String {
        switch self {
        case .ok: "the script finished"
        case .scriptFailed: "the script failed"
        case .refused: "refused by the grant"
        case .limit: "a limit ended the run"
        case .outcomeUnknown: "outcome unknown: a write got no usable answer; check the panel before running again"
        case .badScript: "the script does not compile"
        case .scriptUnreadable: "the script file could not be read"
        case .somePanelsFailed: "some panels did not succeed (the fleet summary names them)"
        case .configuration: "configuration error"
        case .auditFailure: "the audit log could not be written"
        case .expired: "the plan was not approved in time; nothing was sent"
        case .rejected: "the plan was rejected; nothing was sent"
        case .usage: "bad run flags"
        }
    }

    /// The status a child that exited with this code and left no receipt is recorded with:
    /// only codes that name one status say it (a limit could be any of several).
    public var status: RunStatus {
        switch self {
        case .ok: .succeeded
        case .refused: .refused
        case .outcomeUnknown: .outcomeUnknown
        case .badScript: .syntaxError
        case .scriptUnreadable: .scriptUnreadable
        case .auditFailure: .auditFailure
        case .expired: .expired
        case .rejected: .rejected
        case .scriptFailed, .limit, .configuration, .usage, .somePanelsFailed: .failed
        }
    }
}
