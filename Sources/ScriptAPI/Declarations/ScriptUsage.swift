/// Which API functions a script's text calls, found by reading its tokens (comments and
/// strings skipped). It sees `resellers.add_credits(...)`, `panel.call(...)` and any other
/// catalogue function written as `group.function`, not calls
/// made through aliases (`local r = resellers; r.new{}`), so `nightshift check` reports it
/// as what the text shows, and the run's grant stays the guard.
public enum ScriptUsage {
    /// The functions of `catalogue` named in `source`, with the 1-based line of their first use.
    public static func scan(_ source: [UInt8], catalogue: APICatalogue = .standard) -> [APIFunction: Int] {
        let tokens = tokenize(source)
        let groups = Set(catalogue.groups.map(\.name))
        var found: [APIFunction: Int] = [:]
        var i = 0
        while i + 2 < tokens.count {
            if tokens[i + 1].text == ".", !tokens[i].isString, !tokens[i + 2].isString, groups.contains(tokens[i].text),
                case let function = APIFunction(rawValue: "\(tokens[i].text).\(tokens[i + 2].text)"),
                catalogue.entry(function) != nil
            {
                if found[function] == nil { found[function] = tokens[i].line }
                i += 3
                continue
            }
            i += 1
        }
        return found
    }

    /// The modules `source` requires by a literal name (`require "lib.format"`,
    /// `require("lib.format")`), with the line of each, in order.
    public static func requires(_ source: [UInt8]) -> [(name: String, line: Int)] {
        let tokens = tokenize(source)
        var found: [(name: String, line: Int)] = []
        for (i, token) in tokens.enumerated() where token.text == "require" && !token.isString {
            var j = i + 1
            if j < tokens.count, tokens[j].text == "(", !tokens[j].isString { j += 1 }
            if j < tokens.count, tokens[j].isString { found.append((tokens[j].text, token.line)) }
        }
        return found
    }

    package struct Token {
        package var text: String
        package var line: Int
        /// A quoted string's contents (escapes kept as written), not a name or `.`.
        package var isString = false
    }

    /// Names, `.`, `(` and quoted strings; everything else (comments, numbers, long strings,
    /// other punctuation) skipped.
    package static func tokenize(_ source: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var line = 1
        var i = 0
        let n = source.count
        func isName(_ c: UInt8) -> Bool { c == 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        /// The level of a long bracket `[==[` starting at `j`, or nil.
        func longBracket(at j: Int) -> Int? {
            guard j < n, source[j] == UInt8(ascii: "[") else { return nil }
            var k = j + 1
            var level = 0
            while k < n, source[k] == UInt8(ascii: "=") {
                level += 1
                k += 1
            }
            return k < n && source[k] == UInt8(ascii: "[") ? level : nil
        }
        func skipLong(from j: Int, level: Int) -> Int {
            var k = j
            let close = [UInt8(ascii: "]")] + Array(repeating: UInt8(ascii: "="), count: level) + [UInt8(ascii: "]")]
            while k < n {
                if source[k] == 10 { line += 1 }
                if source[k] == close[0], k + close.count <= n, Array(source[k..<(k + close.count)]) == close {
                    return k + close.count
                }
                k += 1
            }
            return n
        }
        while i < n {
            let c = source[i]
            if c == 10 {
                line += 1
                i += 1
            } else if c == UInt8(ascii: "-"), i + 1 < n, source[i + 1] == UInt8(ascii: "-") {
                if let level = longBracket(at: i + 2) {
                    i = skipLong(from: i + 4 + level, level: level)
                } else {
                    while i < n, source[i] != 10 { i += 1 }
                }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                let startLine = line
                i += 1
                let start = i
                defer { tokens.append(Token(text: String(decoding: source[start..<min(max(start, i - 1), n)], as: UTF8.self), line: startLine, isString: true)) }
                while i < n, source[i] != c, source[i] != 10 {
                    if source[i] == UInt8(ascii: "\\"), i + 1 < n {
                        if source[i + 1] == 10 { line += 1 }
                        i += 1
                    }
                    i += 1
                }
                i += 1
            } else if let level = longBracket(at: i) {
                i = skipLong(from: i + 2 + level, level: level)
            } else if isName(c) {
                let start = i
                while i < n, isName(source[i]) { i += 1 }
                tokens.append(Token(text: String(decoding: source[start..<i], as: UTF8.self), line: line))
            } else {
                if c == UInt8(ascii: ".") || c == UInt8(ascii: "(") { tokens.append(Token(text: String(UnicodeScalar(c)), line: line)) }
                i += 1
            }
        }
        return tokens
    }
}
