/// A parsed five-field cron expression with cronie's syntax: numbers, `*`, ranges `a-b`,
/// steps (`*/n`, `a-b/n` is a, a+n, ... up to b, `a/n` is a, a+n, ... up to the field's end),
/// lists `a,b`, month and day names in any case, 0 or 7 for Sunday, and the `@hourly`,
/// `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually` forms.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The text as written (an `@` form stays as written).
    public let source: String
    /// The five fields after expanding an `@` form.
    public let fields: [String]

    // Bit sets of the allowed values. Day of week uses bits 0-6 (Sunday = 0; 7 folds into 0).
    let minutes: UInt64
    let hours: UInt32
    let daysOfMonth: UInt32
    let months: UInt16
    let daysOfWeek: UInt8
    /// Both day fields are restricted (neither starts with `*`): a day matches if either does.
    let daysOr: Bool
    /// Minute and hour are both fixed (neither starts with `*`): DST fix-ups apply
    /// (a skipped time runs at the transition, a repeated one once).
    let fixedTime: Bool
    /// The terms that Nightshift before 0.2.0 read differently: a range with equal ends and a
    /// step (`2-2/2`) was read as running to the end of the field (`2/2`), where cronie reads
    /// it as the one value. One sentence per term; empty for almost every expression.
    public let changedSinceEarlierReleases: [String]

    private static let shortcuts: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    ]
    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
    private static let ranges: [ClosedRange<Int>] = [0...59, 0...23, 1...31, 1...12, 0...7]

    /// Parses an expression.
    /// - Throws: `CronError` naming the field and the reason.
    public init(_ text: String) throws(CronError) {
        let trimmed = text.trimmingWhitespace
        var fieldText: [String]
        if trimmed.hasPrefix("@") {
            guard let expanded = Self.shortcuts[trimmed.lowercased()] else {
                if trimmed.lowercased() == "@reboot" {
                    throw .badShortcut(trimmed, reason: "@reboot is not supported; the daemon runs jobs on a schedule only")
                }
                throw .badShortcut(
                    trimmed,
                    reason: "unknown @ form; use @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually or @every 15m")
            }
            fieldText = expanded.split(separator: " ").map(String.init)
        } else {
            fieldText = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        guard fieldText.count == 5 else { throw .fieldCount(expression: trimmed, found: fieldText.count) }
        source = trimmed
        fields = fieldText
        var sets: [UInt64] = []
        var changes: [String] = []
        for (index, field) in fieldText.enumerated() {
            sets.append(try Self.parseField(field, index: index, changes: &changes))
        }
        changedSinceEarlierReleases = changes
        minutes = sets[0]
        hours = UInt32(sets[1])
        daysOfMonth = UInt32(sets[2])
        months = UInt16(sets[3])
        var dow = sets[4]
        if dow & (1 << 7) != 0 { dow = (dow | 1) & 0x7F }
        daysOfWeek = UInt8(dow)
        // cronie (and Vixie cron before it) looks only at the first character: `*/2` counts as a star.
        let domStar = fieldText[2].hasPrefix("*")
        let dowStar = fieldText[4].hasPrefix("*")
        daysOr = !domStar && !dowStar
        fixedTime = !fieldText[0].hasPrefix("*") && !fieldText[1].hasPrefix("*")
        if !daysOr {
            let smallestDay = daysOfMonth.trailingZeroBitCount
            var longest = 0
            for month in 1...12 where sets[3] & (1 << UInt64(month)) != 0 {
                longest = max(longest, month == 2 ? 29 : CivilTime.daysInMonth(year: 2001, month: month))
            }
            if smallestDay > longest { throw .neverMatches(trimmed) }
        }
    }

    public var description: String { source }

    /// Whether the job is fixed-time (neither minute nor hour starts with `*`): its time is
    /// searched on the wall clock, a skipped time runs at the transition and a repeated one
    /// once; any other job keeps its cadence in real time (docs/scheduling.md).
    public var isFixedTime: Bool { fixedTime }

    /// Whether a wall-clock reading matches, as a minute-by-minute cron daemon checks it.
    /// - Parameter weekday: 0 = Sunday ... 6 = Saturday.
    public func matches(minute: Int, hour: Int, day: Int, month: Int, weekday: Int) -> Bool {
        guard minutes & (1 << UInt64(minute)) != 0, hours & (1 << UInt32(hour)) != 0,
            months & (1 << UInt16(month)) != 0
        else { return false }
        let dom = daysOfMonth & (1 << UInt32(day)) != 0
        let dow = daysOfWeek & (1 << UInt8(weekday)) != 0
        return daysOr ? (dom || dow) : (dom && dow)
    }

    private static func parseField(_ text: String, index: Int, changes: inout [String]) throws(CronError) -> UInt64 {
        var set: UInt64 = 0
        for term in text.split(separator: ",", omittingEmptySubsequences: false) {
            set |= try parseTerm(String(term), field: text, index: index, changes: &changes)
        }
        return set
    }

    private static func parseTerm(
        _ term: String, field: String, index: Int, changes: inout [String]
    ) throws(CronError) -> UInt64 {
        let range = ranges[index]
        func fail(_ reason: String) -> CronError { .badField(field: index + 1, text: field, reason: reason) }
        if term.isEmpty { throw fail("empty list item") }
        var base = term
        var step = 1
        if let slash = term.firstIndex(of: "/") {
            base = String(term[..<slash])
            let stepText = String(term[term.index(after: slash)...])
            guard let value = Int(stepText), stepText.allSatisfy(\.isASCIIDigit) else {
                throw fail("step '\(stepText)' is not a number")
            }
            if value == 0 { throw fail("step must be at least 1") }
            step = value
        }
        let hasStep = term.contains("/")
        let low: Int
        let high: Int
        if base == "*" {
            (low, high) = (range.lowerBound, range.upperBound)
        } else if let dash = base.firstIndex(of: "-") {
            low = try value(String(base[..<dash]), index: index, field: field)
            high = try value(String(base[base.index(after: dash)...]), index: index, field: field)
            if high < low { throw fail("range \(base) runs backwards; write the smaller value first") }
            // Before 0.2.0 a range with equal ends and a step ran to the field's end.
            if hasStep, low == high, low + step <= range.upperBound {
                changes.append(
                    "field \(index + 1) (\(CronError.fieldNames[index])) '\(term)' is now \(low) only, as cronie reads it; "
                        + "Nightshift before 0.2.0 read it as \(low)/\(step) (\(low) to \(range.upperBound), every \(step))")
            }
        } else {
            low = try value(base, index: index, field: field)
            // `5/15` alone means from 5 to the end of the field's range, every 15 (cronie, cronsim).
            high = hasStep ? range.upperBound : low
        }
        // cronie's get_range: for (i = num1; i <= num2; i += num3), so a step past the end gives `low` alone.
        return stride(from: low, through: high, by: step).reduce(0) { $0 | (1 << UInt64($1)) }
    }

    private static func value(_ text: String, index: Int, field: String) throws(CronError) -> Int {
        let range = ranges[index]
        func fail(_ reason: String) -> CronError { .badField(field: index + 1, text: field, reason: reason) }
        let upper = text.uppercased()
        if index == 3, let month = monthNames.firstIndex(of: upper) { return month + 1 }
        if index == 4, let day = dayNames.firstIndex(of: upper) { return day }
        if text.isEmpty { throw fail("missing number") }
        guard text.allSatisfy(\.isASCIIDigit), let number = Int(text) else {
            switch index {
            case 3: throw fail("'\(text)' is not a number or a month name (jan-dec)")
            case 4: throw fail("'\(text)' is not a number or a day name (sun-sat)")
            default: throw fail("'\(text)' is not a number")
            }
        }
        guard range.contains(number) else {
            throw fail("value out of range \(range.lowerBound)-\(range.upperBound)")
        }
        return number
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
