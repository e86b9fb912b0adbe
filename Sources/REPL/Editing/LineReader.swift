/// What reading one line of input gave.
public enum LineInput: Equatable, Sendable {
    /// A line, without its newline.
    case line(String)
    /// Ctrl-C at the prompt: the line being typed is dropped.
    case interrupted
    /// Ctrl-D on an empty line, or the end of piped input.
    case end
}

/// A source of input lines: the terminal (with editing and history) or a pipe.
public protocol LineReader: AnyObject {
    /// Reads one line, showing `prompt` when interactive.
    func readLine(prompt: String) -> LineInput
    /// Records a line in the history (a no-op for pipes).
    func remember(_ line: String)
    /// Whether this reader talks to a person at a terminal.
    var isInteractive: Bool { get }
}

/// Reads statements from a pipe or file: no prompts, no escape codes, no history.
public final class PlainLineReader: LineReader {
    public init() {}
    public var isInteractive: Bool { false }
    public func readLine(prompt: String) -> LineInput {
        guard let line = Swift.readLine(strippingNewline: true) else { return .end }
        return .line(line)
    }
    public func remember(_ line: String) {}
}
