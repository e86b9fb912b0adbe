import ArgumentParser
import NightshiftCore

/// The exit codes of `nightshift run` and `nightshift check`, documented in docs/exit-codes.md.
typealias NightshiftExitCode = RunExitCode

extension RunExitCode {
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
