import ArgumentParser
import NightshiftCore

/// The exit codes of `nightshift run` and `nightshift check`, documented in docs/exit-codes.md.
public typealias NightshiftExitCode = RunExitCode

/// `--status` takes a status's words ("timed out" quoted), and a wrong one is told every status.
extension RunStatus: ExpressibleByArgument {}

extension RunExitCode {
    /// ArgumentParser's exit.
    public var exit: ExitCode { ExitCode(rawValue) }
}
