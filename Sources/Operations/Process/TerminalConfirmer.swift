import Foundation
import ScriptRuntime
import ScriptAPI

/// Confirm mode on the terminal: shows each write on standard error and reads y/N from
/// standard input. Anything but `y` or `yes` (end of input included) is no.
public struct TerminalConfirmer: WriteConfirmer {
    /// Runs before each question: `nightshift run` writes what the script printed first.
    public var beforeAsking: @Sendable () -> Void

    /// - Parameter beforeAsking: runs before each question.
    public init(beforeAsking: @escaping @Sendable () -> Void = {}) {
        self.beforeAsking = beforeAsking
    }

    /// Shows the write and asks; true only for `y` or `yes`.
    public func confirm(_ change: PlannedChange) -> Bool {
        beforeAsking()
        Output.error("send \(change)\n  \(change.parameters)\nsend it? [y/N] ", newline: false)
        guard let answer = readLine(strippingNewline: true) else {
            Output.error("(no answer: not sent)")
            return false
        }
        let word = answer.trimmingCharacters(in: .whitespaces).lowercased()
        return word == "y" || word == "yes"
    }
}

/// Writing to the process's standard streams.
public enum Output {
    /// Writes `text` (and a newline) to standard error.
    public static func error(_ text: String, newline: Bool = true) {
        FileHandle.standardError.write(Data((newline ? text + "\n" : text).utf8))
    }

    /// Writes `text` (and a newline) to standard output.
    public static func out(_ text: String, newline: Bool = true) {
        FileHandle.standardOutput.write(Data((newline ? text + "\n" : text).utf8))
    }
}
