import ArgumentParser
import ScriptRuntime

/// The exit codes of `nightshift run` and `nightshift check`, documented in docs/exit-codes.md.
enum NightshiftExitCode: Int32, CaseIterable {
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
    /// The script could not be read or does not compile, or its `nightshift:` header is wrong.
    case badScript = 5
    /// Configuration: nightshift.toml, the API key, the panel URL, the state folder.
    case configuration = 6
    /// The audit log could not be written; the run stopped before sending anything unaudited.
    case auditFailure = 7

    /// The code for a run's status.
    init(_ status: RunStatus) {
        switch status {
        case .ok: self = .ok
        case .failed, .running, .crashed: self = .scriptFailed
        case .refused: self = .refused
        case .timedOut, .memoryLimit, .instructionLimit, .taskLimit, .interrupted: self = .limit
        case .outcomeUnknown: self = .outcomeUnknown
        case .syntaxError: self = .badScript
        case .auditFailure: self = .auditFailure
        }
    }

    /// ArgumentParser's exit.
    var exit: ExitCode { ExitCode(rawValue) }
}

/// A CLI failure with what to do next, printed to standard error before exiting.
struct RunCommandFailure: Error, CustomStringConvertible {
    let message: String
    let code: NightshiftExitCode
    init(_ code: NightshiftExitCode, _ message: String) {
        self.code = code
        self.message = message
    }
    var description: String { message }
}
