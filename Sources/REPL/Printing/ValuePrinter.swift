import LuaHost

/// Renders results the way a good shell does: tables with sorted keys, short arrays inline,
/// nested tables indented, cycles marked, depth and width bounded, colour only on a terminal.
public struct ValuePrinter: Sendable {
    /// Whether to use ANSI colours.
    public var colour: Bool
    /// Lines longer than this are broken over several lines.
    public var lineWidth: Int

    public init(colour: Bool, lineWidth: Int = 80) {
        self.colour = colour
        self.lineWidth = lineWidth
    }

    /// Renders several results separated by tabs, as `print` would place them.
    public func render(_ values: [LuaSnapshot]) -> String {
        values.map { render($0, indent: 0) }.joined(separator: "\t")
    }

    /// Renders one value, starting at column `indent`.
    public func render(_ value: LuaSnapshot, indent: Int = 0) -> String {
        switch value {
        case .scalar(let scalar):
            return renderScalar(scalar)
        case .cycle(let id):
            return paint("<cycle: table: \(hex(id))>", .dim)
        case .elided(let id):
            return paint("{...} --[[table: \(hex(id))]]", .dim)
        case .opaque(let type, let id):
            return paint("\(type): \(hex(id))", .dim)
        case .table(_, let entries, let omitted):
            return renderTable(entries, omitted: omitted, indent: indent)
        }
    }

    private func renderTable(_ entries: [LuaSnapshot.Entry], omitted: Int, indent: Int) -> String {
        if entries.isEmpty { return omitted > 0 ? "{ \(more(omitted)) }" : "{}" }
        let (sequence, others) = split(entries)
        let items = sequence.map { render($0, indent: indent + 2) }
            + others.map { entry in "\(renderKey(entry.key)) = \(render(entry.value, indent: indent + 2))" }
            + (omitted > 0 ? [more(omitted)] : [])
        let inline = "{ " + items.joined(separator: ", ") + " }"
        if visibleWidth(inline) + indent <= lineWidth, !inline.contains("\n") {
            return sequence.count == entries.count && omitted == 0 ? "{" + items.joined(separator: ", ") + "}" : inline
        }
        let pad = String(repeating: " ", count: indent + 2)
        return "{\n" + items.map { pad + $0 + ",\n" }.joined() + String(repeating: " ", count: indent) + "}"
    }

    /// Keys 1...n in order first (the sequence), then the other keys sorted by type and value.
    private func split(_ entries: [LuaSnapshot.Entry]) -> ([LuaSnapshot], [LuaSnapshot.Entry]) {
        var byIndex: [Int64: LuaSnapshot] = [:]
        var others: [LuaSnapshot.Entry] = []
        for entry in entries {
            if case .scalar(.integer(let i)) = entry.key, i >= 1 {
                byIndex[i] = entry.value
            } else {
                others.append(entry)
            }
        }
        var sequence: [LuaSnapshot] = []
        var next: Int64 = 1
        while let value = byIndex.removeValue(forKey: next) {
            sequence.append(value)
            next += 1
        }
        others += byIndex.map { LuaSnapshot.Entry(key: .scalar(.integer($0.key)), value: $0.value) }
        others.sort { sortKey($0.key) < sortKey($1.key) }
        return (sequence, others)
    }

    private func sortKey(_ key: LuaSnapshot) -> SortKey {
        switch key {
        case .scalar(.integer(let i)): SortKey(rank: 0, number: Double(i), text: "")
        case .scalar(.number(let d)): SortKey(rank: 0, number: d, text: "")
        case .scalar(.string(let s)): SortKey(rank: 1, number: 0, text: s.description)
        case .scalar(.boolean(let b)): SortKey(rank: 2, number: b ? 1 : 0, text: "")
        default: SortKey(rank: 3, number: 0, text: render(key))
        }
    }

    private struct SortKey: Comparable {
        var rank: Int
        var number: Double
        var text: String
        static func < (a: SortKey, b: SortKey) -> Bool {
            (a.rank, a.number, a.text) < (b.rank, b.number, b.text)
        }
    }

    private func renderKey(_ key: LuaSnapshot) -> String {
        if case .scalar(.string(let s)) = key, let text = s.string, Self.isIdentifier(text) { return text }
        return "[" + render(key) + "]"
    }

    private func renderScalar(_ value: LuaValue) -> String {
        switch value {
        case .nil: return paint("nil", .keyword)
        case .boolean(let b): return paint(b ? "true" : "false", .keyword)
        case .integer, .number: return paint(value.description, .number)
        case .string(let s): return paint(Self.quote(s), .string)
        default: return value.description
        }
    }

    private func more(_ count: Int) -> String { paint("... (\(count) more)", .dim) }

    private func hex(_ id: UInt) -> String { "0x" + String(id, radix: 16) }

    /// A string as Lua source (`string.format("%q")`-style, readable escapes).
    static func quote(_ s: LuaString) -> String {
        var out = "\""
        for byte in s.bytes {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\t"): out += "\\t"
            case UInt8(ascii: "\r"): out += "\\r"
            case 0x20..<0x7F, 0x80...0xFF: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "\\" + String(byte)
            }
        }
        // Re-decode so valid UTF-8 shows as text rather than Latin-1 characters.
        if let text = s.string, !s.bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) {
            return "\"" + text + "\""
        }
        return out + "\""
    }

    static let keywords: Set<String> = [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ]

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return !keywords.contains(text)
            && text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) }
    }

    private enum Style: String {
        case keyword = "35"
        case number = "36"
        case string = "32"
        case dim = "2"
    }

    private func paint(_ text: String, _ style: Style) -> String {
        colour ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    private func visibleWidth(_ text: String) -> Int {
        guard colour else { return text.count }
        var count = 0
        var inEscape = false
        for ch in text {
            if inEscape { if ch == "m" { inEscape = false } } else if ch == "\u{1B}" { inEscape = true } else { count += 1 }
        }
        return count
    }
}
