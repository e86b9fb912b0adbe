import ArgumentParser
import NightshiftCore

/// The exit codes of `nightshift run` and `nightshift check`, documented in docs/exit-codes.md.
typealias NightshiftExitCode = RunExitCode

extension RunExitCode {
    /// ArgumentParser's exit.
    var exit: ExitCode { ExitCode(rawValue) }
}
