import NightshiftCore

/// A CLI failure with what to do next, printed to standard error before exiting with `code`.
public struct CommandFailure: Error, CustomStringConvertible {
    /// The words for the operator: what was wrong and what to do.
    public let message: String
    /// The exit code (docs/exit-codes.md).
    public let code: RunExitCode

    /// Creates a failure.
    public init(_ code: RunExitCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
