extension JSONValue {
    /// An integer from a number or a numeric string (`5`, `"5"`, `5.0`, `"5.00"`); `nil` for
    /// fractions and anything else.
    public var looseInt: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value):
            return value.rounded() == value && abs(value) < 9.0e18 ? Int(value) : nil
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: " \t\n\r")
            if let value = Int(trimmed) { return value }
            if let value = Double(trimmed), value.isFinite, value.rounded() == value, abs(value) < 9.0e18 {
                return Int(value)
            }
            return nil
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    /// A number from a number or a numeric string.
    public var looseDouble: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .string(let text): Double(text.trimmingCharacters(in: " \t\n\r"))
        default: nil
        }
    }

    /// PHP's truthiness: `false`, `0`, `0.0`, `""`, `"0"`, `null`, `[]` are false; so are the
    /// words `"false"`, `"no"` and `"off"`, which panels write for switches.
    public var looseBool: Bool? {
        switch self {
        case .null: return nil
        case .bool(let flag): return flag
        case .int(let value): return value != 0
        case .double(let value): return value != 0
        case .string(let text):
            switch text.lowercased() {
            case "", "0", "false", "no", "off": return false
            default: return true
            }
        case .array(let items): return !items.isEmpty
        case .object(let object): return !object.members.isEmpty
        }
    }

    /// A string from a string or a scalar.
    public var looseString: String? {
        switch self {
        case .string(let text): text
        case .int(let value): String(value)
        case .double(let value): PHPFloatFormatter.format(value)
        case .bool(let flag): flag ? "1" : ""
        default: nil
        }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        let start = firstIndex { !chars.contains($0) } ?? endIndex
        let end = lastIndex { !chars.contains($0) }.map { index(after: $0) } ?? start
        return String(self[start..<max(start, end)])
    }
}
