import Foundation
import Scheduler

/// A schedule in English for the Jobs page: `0 3 * * 1-5` is "at 03:00, Monday to Friday".
/// The cron text is always shown beside it, so an expression this does not read well still
/// reads exactly.
public enum ScheduleWords {
    /// The schedule in words.
    public static func describe(_ schedule: Schedule) -> String {
        switch schedule {
        case let .every(seconds, _): return "every " + interval(seconds)
        case let .cron(expression): return describe(fields: expression.fields)
        }
    }

    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]
    private static let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// Five cron fields in words.
    static func describe(fields: [String]) -> String {
        guard fields.count == 5 else { return fields.joined(separator: " ") }
        let (minute, hour, dom, month, dow) = (fields[0], fields[1], fields[2], fields[3], fields[4])
        var parts = [time(minute: minute, hour: hour)]
        let domStar = dom.hasPrefix("*")
        let dowStar = dow.hasPrefix("*")
        let domWords = dom == "*" ? nil : "on day " + list(dom, unit: "day") + " of the month"
        let dowWords = dow == "*" ? nil : "on " + list(dow, names: days, numbers: dayNames, zeroBased: true)
        switch (domWords, dowWords) {
        case let (d?, w?) where !domStar && !dowStar: parts.append("\(d) or \(w)")
        case let (d?, w?): parts.append("\(d), \(w)")
        case let (d?, nil): parts.append(d)
        case let (nil, w?): parts.append(w)
        case (nil, nil): if minute.allSatisfy(\.isNumber) && hour.allSatisfy(\.isNumber) { parts[0] = "every day " + parts[0] }
        }
        if month != "*" { parts.append("in " + list(month, names: months, numbers: monthNames, zeroBased: false)) }
        return parts.joined(separator: ", ")
    }

    private static func time(minute: String, hour: String) -> String {
        let m = Int(minute)
        let h = Int(hour)
        switch (m, h) {
        case let (m?, h?): return "at " + twoDigits(h) + ":" + twoDigits(m)
        case let (m?, nil) where hour == "*": return m == 0 ? "every hour, on the hour" : "every hour at minute \(m)"
        case let (m?, nil) where hour.hasPrefix("*/") && Int(hour.dropFirst(2)) != nil:
            return "every \(hour.dropFirst(2)) hours " + (m == 0 ? "on the hour" : "at minute \(m)")
        case let (m?, nil): return "at minute \(m) past hour " + list(hour, unit: "hours")
        default: break
        }
        if minute == "*" && hour == "*" { return "every minute" }
        if minute.hasPrefix("*/"), hour == "*", let step = Int(minute.dropFirst(2)) {
            return step == 1 ? "every minute" : "every \(step) minutes"
        }
        let minutes = minute == "*" ? "every minute" : "at minute " + list(minute, unit: "minutes")
        let hours = hour == "*" ? "" : " past hour " + list(hour, unit: "hours")
        return minutes + hours
    }

    /// A field's list in words: `1-5` "1 to 5", `*/2` "every 2nd", names for days and months.
    private static func list(
        _ field: String, unit: String = "", names: [String]? = nil, numbers: [String] = [], zeroBased: Bool = false
    ) -> String {
        func name(_ text: Substring) -> String {
            let upper = text.uppercased()
            var index = Int(text)
            if index == nil, let found = numbers.firstIndex(of: upper) { index = zeroBased ? found : found + 1 }
            guard let names, let index else { return String(text) }
            let position = zeroBased ? index : index - 1
            return names.indices.contains(position) ? names[position] : String(text)
        }
        let items = field.split(separator: ",").map { item -> String in
            let pieces = item.split(separator: "/", maxSplits: 1)
            let base = pieces[0]
            let step = pieces.count > 1 ? Int(pieces[1]) : nil
            var words: String
            if base == "*" {
                words = step.map { "every \($0) \(unit.isEmpty ? "" : unit)".trimmingCharacters(in: .whitespaces) } ?? "every"
                if step != nil { return words }
            } else if let dash = base.firstIndex(of: "-") {
                words = name(base[..<dash]) + " to " + name(base[base.index(after: dash)...])
            } else {
                words = name(base)
            }
            if let step { words += " every \(step)" }
            return words
        }
        guard items.count > 1 else { return items.first ?? field }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

    /// `900` "15 minutes", `5400` "90 minutes", `86400` "day".
    private static func interval(_ seconds: Int64) -> String {
        for (unit, size) in [("day", Int64(86_400)), ("hour", 3600), ("minute", 60), ("second", 1)] where seconds % size == 0 {
            let count = seconds / size
            return count == 1 ? unit : "\(count) \(unit)s"
        }
        return DurationText.text(seconds)
    }
}
