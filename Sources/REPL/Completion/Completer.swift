import LuaHost

/// Tab completion: Lua keywords and globals, and fields of tables reached by a dotted path
/// (`resellers.<TAB>`, `r.<TAB>` for a table the session stored in `r`).
public struct Completer {
    public init() {}

    /// The completions of the word that ends the text `line` (up to the cursor).
    /// Each completion is the whole word, prefix included (`resellers.add_credits`).
    public func completions(for line: String, in vm: LuaVM) -> [String] {
        let word = Self.trailingWord(of: line)
        var parts = word.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let partial = parts.removeLast()
        // Method calls complete like fields: `s:up<TAB>` on a string is not resolvable raw.
        let candidates: [String]
        if parts.isEmpty {
            candidates = Array(ValuePrinter.keywords) + vm.fieldNames(at: [])
        } else {
            candidates = vm.fieldNames(at: parts).filter { ValuePrinter.isIdentifier($0) }
        }
        let prefix = parts.isEmpty ? "" : parts.joined(separator: ".") + "."
        return Set(candidates.filter { $0.hasPrefix(partial) }).sorted().map { prefix + $0 }
    }

    /// The identifier-and-dots word at the end of `line`.
    static func trailingWord(of line: String) -> String {
        var word = ""
        for ch in line.reversed() {
            guard ch == "." || ch == "_" || (ch.isASCII && (ch.isLetter || ch.isNumber)) else { break }
            word.insert(ch, at: word.startIndex)
        }
        return word
    }
}
