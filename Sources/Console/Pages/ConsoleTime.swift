import Foundation

/// Times as the console writes and reads them: ISO 8601 in UTC, and dates from forms.
enum ConsoleTime {
    /// `2026-03-01T02:00:00.000Z` for `seconds` since the epoch (as the audit log writes them).
    static func iso(_ seconds: Double) -> String {
        let milliseconds = Int64((seconds * 1000).rounded(.down))
        let (whole, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (day, time) = parts(fraction < 0 ? whole - 1 : whole)
        let millis = fraction < 0 ? fraction + 1000 : fraction
        return "\(day)T\(time).\(String(repeating: "0", count: 3 - String(millis).count))\(millis)Z"
    }

    /// `2026-03-01 02:00:00` for `seconds` since the epoch, in UTC.
    static func readable(_ seconds: Double) -> String {
        let (day, time) = parts(Int64(seconds.rounded(.down)))
        return "\(day) \(time)"
    }

    /// An audit log time (`2026-03-01T02:00:00.123Z`) as `2026-03-01 02:00:00`.
    static func readable(_ iso: String) -> String {
        guard iso.count >= 19 else { return iso }
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8))
    }

    /// The day (`2026-03-01`) of `seconds` since the epoch, in UTC.
    static func day(_ seconds: Double) -> String {
        parts(Int64(seconds.rounded(.down))).day
    }

    /// Seconds since the epoch at the start of `day` (`2026-03-01`, UTC); nil when it is not a date.
    static func start(of day: String) -> Double? {
        let pieces = day.split(separator: "-")
        guard day.count == 10, pieces.count == 3, let year = Int32(pieces[0]), let month = Int32(pieces[1]),
            let date = Int32(pieces[2]), (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(date)
        else { return nil }
        var value = tm()
        value.tm_year = year - 1900
        value.tm_mon = month - 1
        value.tm_mday = date
        let seconds = timegm(&value)
        // timegm normalises 31 February into March; such a date is not one.
        guard self.day(Double(seconds)) == day else { return nil }
        return Double(seconds)
    }

    /// Seconds as `12.3`, or empty when either end is missing.
    static func duration(from start: String, to end: String?) -> String {
        guard let end, let a = seconds(start), let b = seconds(end) else { return "" }
        return String(format: "%.1f", b - a)
    }

    /// An audit log time as seconds since the epoch.
    static func seconds(_ iso: String) -> Double? {
        guard let day = start(of: String(iso.prefix(10))), iso.count >= 19 else { return nil }
        let clock = iso.dropFirst(11).prefix(8).split(separator: ":").compactMap { Double($0) }
        guard clock.count == 3 else { return nil }
        var seconds = day + clock[0] * 3600 + clock[1] * 60 + clock[2]
        if iso.count >= 23, let fraction = Double("0" + iso.dropFirst(19).prefix(4)) { seconds += fraction }
        return seconds
    }

    private static func parts(_ seconds: Int64) -> (day: String, time: String) {
        var whole = time_t(seconds)
        var value = tm()
        gmtime_r(&whole, &value)
        func digits(_ number: Int32, _ width: Int) -> String {
            let text = String(number)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return (
            "\(digits(value.tm_year + 1900, 4))-\(digits(value.tm_mon + 1, 2))-\(digits(value.tm_mday, 2))",
            "\(digits(value.tm_hour, 2)):\(digits(value.tm_min, 2)):\(digits(value.tm_sec, 2))"
        )
    }
}
