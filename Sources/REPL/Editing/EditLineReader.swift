import CEditLine
import Foundation
import LuaHost

/// The terminal line editor: BSD libedit's readline interface, with arrows, Ctrl-R history
/// search, tab completion and a history file that persists across sessions.
public final class EditLineReader: LineReader {
    private let historyFile: String?
    private let historyFilter: (String) -> Bool

    /// Starts editing on the process's terminal.
    /// - Parameters:
    ///   - historyFile: where history is read from and written to; `nil` for none.
    ///   - keepInHistory: decides which lines are saved (lines with secrets must not be).
    ///   - complete: the completions of the word before the cursor, given the line so far.
    public init(historyFile: String?, keepInHistory: @escaping (String) -> Bool, complete: @escaping (String) -> [String]) {
        self.historyFile = historyFile
        self.historyFilter = keepInHistory
        EditLineReader.completer = complete
        ns_rl_configure(EditLineReader.name, { text, start, end in
            // The whole line up to the cursor decides the completions (`resellers.ad`).
            let line = ns_rl_line_buffer().map { String(cString: $0) } ?? ""
            let upToCursor = String(line.utf8.prefix(Int(end))) ?? line
            EditLineReader.matches = EditLineReader.completer?(upToCursor) ?? []
            EditLineReader.next = 0
            return rl_completion_matches(text) { _, state in
                if state == 0 { EditLineReader.next = 0 }
                guard EditLineReader.next < EditLineReader.matches.count else { return nil }
                defer { EditLineReader.next += 1 }
                return strdup(EditLineReader.matches[EditLineReader.next])
            }
        })
        // Ctrl-C at the prompt: the handler (installed without SA_RESTART) breaks the read,
        // and returning end-of-file makes readline give up the line.
        ns_rl_set_getc { _ in
            var byte: UInt8 = 0
            while true {
                let count = read(STDIN_FILENO, &byte, 1)
                if count == 1 { return Int32(byte) }
                if count < 0, errno == EINTR {
                    if InterruptSignal.pending.load(ordering: .relaxed) { return -1 }
                    continue
                }
                return -1
            }
        }
        stifle_history(1000)
        if let historyFile { _ = read_history(historyFile) }
    }

    // libedit calls completion through C function pointers with no context: the state lives
    // here, touched only on the REPL's thread while readline runs.
    nonisolated(unsafe) private static let name: UnsafePointer<CChar> = UnsafePointer(strdup("nightshift")!)
    nonisolated(unsafe) static var completer: ((String) -> [String])?
    nonisolated(unsafe) static var matches: [String] = []
    nonisolated(unsafe) static var next = 0

    public var isInteractive: Bool { true }

    public func readLine(prompt: String) -> LineInput {
        InterruptSignal.pending.store(false, ordering: .relaxed)
        guard let raw = readline(prompt) else {
            if InterruptSignal.pending.exchange(false, ordering: .relaxed) {
                print("")
                return .interrupted
            }
            return .end
        }
        defer { free(raw) }
        if InterruptSignal.pending.exchange(false, ordering: .relaxed) { return .interrupted }
        return .line(String(cString: raw))
    }

    public func remember(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty, historyFilter(line) else { return }
        add_history(line)
        if let historyFile { _ = write_history(historyFile) }
    }
}
