/// ISO-8601 times with a UTC offset, as `nightshift cron next` prints and reads them.
public enum ISO8601 {
    /// Formats an instant in a zone: `2026-03-08T03:00:00-04:00` (`+00:00` for UTC).
    public static func format(_ instant: Int64, in zone: ZoneRules) -> String {
        let offset = zone.offset(at: instant)
        let wall = instant + offset
        let date = CivilTime.date(days: CivilTime.floorDiv(wall, CivilTime.secondsPerDay))
        let secondOfDay = CivilTime.floorMod(wall, CivilTime.secondsPerDay)
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        var text = "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))T"
        text += "\(pad(Int(secondOfDay / 3600), 2)):\(pad(Int(secondOfDay / 60 % 60), 2)):\(pad(Int(secondOfDay % 60), 2))"
        text += "\(sign)\(pad(Int(magnitude / 3600), 2)):\(pad(Int(magnitude / 60 % 60), 2))"
        if magnitude % 60 != 0 { text += ":\(pad(Int(magnitude % 60), 2))" }
        return text
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Reads `2026-03-08T01:30:00-05:00`, `...Z`, an optional fraction of a second, or a
    /// time without offset, which is read as local time in `zone` (the first pass if repeated).
    /// Returns seconds since the epoch, rounded down.
    public static func parse(_ text: String, defaultZone zone: ZoneRules) -> Int64? {
        let chars = Array(text.utf8)
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= chars.count else { return nil }
            var value = 0
            for c in chars[index..<(index + count)] {
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            index += count
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard index < chars.count, chars[index] == c else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
            (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        if index < chars.count {
            guard expect(84) || expect(116) || expect(32) else { return nil }  // T, t or space
            guard let h = number(2), expect(58), let m = number(2) else { return nil }
            hour = h
            minute = m
            if expect(58) {
                guard let s = number(2) else { return nil }
                second = s
                if expect(46) || expect(44) {
                    let start = index
                    while index < chars.count, chars[index] >= 48, chars[index] <= 57 { index += 1 }
                    guard index > start else { return nil }
                }
            }
        }
        guard hour < 24, minute < 60, second < 60 else { return nil }
        let wall = CivilTime.days(year: year, month: month, day: day) * CivilTime.secondsPerDay
            + Int64(hour * 3600 + minute * 60 + second)
        if index == chars.count { return zone.instant(wall: wall, fold: false) }
        if expect(90) || expect(122) { return index == chars.count ? wall : nil }  // Z
        let negative: Bool
        if expect(43) { negative = false } else if expect(45) { negative = true } else { return nil }
        guard let oh = number(2) else { return nil }
        _ = expect(58)
        let om = number(2) ?? 0
        guard index == chars.count, oh <= 18, om < 60 else { return nil }
        let offset = Int64(oh * 3600 + om * 60)
        return wall - (negative ? -offset : offset)
    }
}
