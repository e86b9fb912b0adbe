import NightshiftCore
/// Reading the limits operators write: durations (`30s`, `500ms`, `2m`, `1h`, `1d`, `1m30s`, or
/// a bare number of seconds) and sizes (`64M`, `512K`, `1G`, or bytes).
public enum Limits {
    /// A duration, or nil when `text` is not one.
    public static func duration(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: " \t").lowercased()
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        var total: Duration = .zero
        var digits = ""
        let chars = Array(trimmed)
        guard !chars.isEmpty else { return nil }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isNumber || c == "." {
                digits.append(c)
                i += 1
                continue
            }
            guard let value = Double(digits), value.isFinite else { return nil }
            var unit = String(c)
            if c == "m", i + 1 < chars.count, chars[i + 1] == "s" {
                unit = "ms"
                i += 1
            }
            switch unit {
            case "ms": total += .milliseconds(Int64(value))
            case "s": total += .milliseconds(Int64(value * 1000))
            case "m": total += .seconds(Int64(value * 60))
            case "h": total += .seconds(Int64(value * 3600))
            case "d": total += .seconds(Int64(value * 86400))
            default: return nil
            }
            digits = ""
            i += 1
        }
        return digits.isEmpty ? total : nil
    }

    /// A size in bytes, or nil.
    public static func bytes(_ text: String) -> Int? {
        var trimmed = text.trimmingCharacters(in: " \t").uppercased()
        if trimmed.hasSuffix("IB") { trimmed.removeLast(2) } else if trimmed.hasSuffix("B") { trimmed.removeLast() }
        var multiplier = 1
        if let last = trimmed.last, let shift = ["K": 10, "M": 20, "G": 30][String(last)] {
            multiplier = 1 << shift
            trimmed.removeLast()
        }
        guard let value = Int(trimmed), value > 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }

    /// `30 s`, `1.5 s`, `500 ms` for messages.
    public static func describe(_ duration: Duration) -> String {
        let (seconds, atto) = duration.components
        if atto == 0 { return "\(seconds)s" }
        let ms = seconds * 1000 + atto / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }

    /// `10 MiB`, `512 KiB`, `1000 bytes` for messages.
    public static func describeBytes(_ bytes: Int) -> String {
        for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] where bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift) \(unit)"
        }
        return "\(bytes) bytes"
    }
}
