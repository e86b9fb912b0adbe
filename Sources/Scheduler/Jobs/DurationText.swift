/// Reading and writing durations such as `30s`, `5m`, `1h30m`, `2d`.
public enum DurationText {
    /// Parses one or more number+unit pairs (units `s`, `m`, `h`, `d`) into seconds.
    public static func seconds(_ text: String) -> Int64? {
        var total: Int64 = 0
        var digits = ""
        let trimmed = text.trimmingWhitespace.lowercased()
        guard !trimmed.isEmpty else { return nil }
        for character in trimmed {
            if character.isASCIIDigit {
                digits.append(character)
                continue
            }
            let unit: Int64
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            default: return nil
            }
            guard let number = Int64(digits), number <= 100_000_000 else { return nil }
            total += number * unit
            digits = ""
        }
        return digits.isEmpty ? total : nil
    }

    /// Formats seconds the way `seconds(_:)` reads them: `90` -> `1m30s`.
    public static func text(_ seconds: Int64) -> String {
        if seconds == 0 { return "0s" }
        var rest = seconds
        var text = ""
        for (unit, name) in [(Int64(86_400), "d"), (3600, "h"), (60, "m"), (1, "s")] where rest >= unit {
            text += "\(rest / unit)\(name)"
            rest %= unit
        }
        return text
    }
}
