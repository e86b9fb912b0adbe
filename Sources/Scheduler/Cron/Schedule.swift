import Foundation

/// When a job fires: a cron expression read in a time zone, or a fixed interval.
public enum Schedule: Sendable, Hashable, CustomStringConvertible {
    /// A five-field cron expression (or `@` form).
    case cron(CronExpression)
    /// `@every 15m`: every `seconds`, aligned to the Unix epoch so the slots are the same
    /// across restarts and in every zone (`@every 15m` fires at :00, :15, :30, :45).
    case every(seconds: Int64, source: String)

    /// Parses `@every 1h30m` or a cron expression.
    /// - Throws: `CronError` saying which part is wrong and why.
    public init(_ text: String) throws(CronError) {
        let trimmed = text.trimmingWhitespace
        let lower = trimmed.lowercased()
        if lower.hasPrefix("@every") {
            let spec = String(lower.dropFirst("@every".count)).trimmingWhitespace
            self = .every(seconds: try Self.parseInterval(spec, whole: trimmed), source: trimmed)
        } else {
            self = .cron(try CronExpression(trimmed))
        }
    }

    public var description: String {
        switch self {
        case let .cron(expression): return expression.source
        case let .every(_, source): return source
        }
    }

    /// Reads `90s`, `15m`, `1h30m`, `2d`: one or more number+unit pairs, at least one second.
    static func parseInterval(_ spec: String, whole: String) throws(CronError) -> Int64 {
        guard let seconds = DurationText.seconds(spec) else {
            throw .badShortcut(whole, reason: "expected an interval such as @every 15m, @every 1h30m or @every 2d (units s, m, h, d)")
        }
        guard seconds >= 1 else { throw .badShortcut(whole, reason: "the interval must be at least 1s") }
        return seconds
    }

    /// The first fire time strictly after `instant` (seconds since the epoch), read in `zone`.
    public func nextFireTime(after instant: Int64, in zone: ZoneRules) -> Int64? {
        var times = FireTimes(schedule: self, zone: zone, after: instant)
        return times.next()
    }

    /// The first fire time strictly after `date`, read in `zone`.
    public func nextFireTime(after date: Date, in zone: ZoneRules) -> Date? {
        nextFireTime(after: Int64(date.timeIntervalSince1970.rounded(.down)), in: zone)
            .map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }
}

/// The fire times of a schedule strictly after a start instant, in order (seconds since
/// the epoch). Ends only if a cron expression has no match within 50 years.
public struct FireTimes: Sequence, IteratorProtocol, Sendable {
    private enum State {
        case cron(CronCursor)
        case every(interval: Int64, next: Int64)
    }
    private var state: State
    private let start: Int64

    /// Starts after `instant`; the first element is strictly later.
    public init(schedule: Schedule, zone: ZoneRules, after instant: Int64) {
        start = instant
        switch schedule {
        case let .cron(expression):
            state = .cron(CronCursor(cron: expression, zone: zone, after: instant))
        case let .every(interval, _):
            state = .every(interval: interval, next: (CivilTime.floorDiv(instant, interval) + 1) * interval)
        }
    }

    public mutating func next() -> Int64? {
        switch state {
        case var .cron(cursor):
            // A fixed-time job started in the second pass of a repeated hour can find the
            // first pass, which is before the start: skip such results.
            while let time = cursor.next() {
                if time > start {
                    state = .cron(cursor)
                    return time
                }
            }
            state = .cron(cursor)
            return nil
        case let .every(interval, next):
            state = .every(interval: interval, next: next + interval)
            return next
        }
    }
}
