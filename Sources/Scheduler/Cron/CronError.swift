/// Why a schedule or time zone could not be read. The description names the field and
/// the reason, e.g. `cron: field 3 (day of month) '32': value out of range 1-31`.
public enum CronError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The expression does not have five fields.
    case fieldCount(expression: String, found: Int)
    /// One field is wrong; `field` is 1-based (1 = minute ... 5 = day of week).
    case badField(field: Int, text: String, reason: String)
    /// An `@` form that does not exist, or a malformed `@every` interval.
    case badShortcut(String, reason: String)
    /// No instant can ever match (e.g. `0 0 30 2 *`).
    case neverMatches(String)
    /// The time zone name is not a known IANA zone.
    case unknownTimeZone(String)

    /// Names of the five fields, as used in messages.
    static let fieldNames = ["minute", "hour", "day of month", "month", "day of week"]

    public var description: String {
        switch self {
        case let .fieldCount(expression, found):
            return "cron: '\(expression)' has \(found) field\(found == 1 ? "" : "s"), expected 5 "
                + "(minute hour day-of-month month day-of-week) or an @ form such as @daily"
        case let .badField(field, text, reason):
            return "cron: field \(field) (\(Self.fieldNames[field - 1])) '\(text)': \(reason)"
        case let .badShortcut(text, reason):
            return "cron: '\(text)': \(reason)"
        case let .neverMatches(expression):
            return "cron: field 3 (day of month) in '\(expression)': no month in the month field has that day"
        case let .unknownTimeZone(name):
            return "unknown time zone '\(name)': use an IANA name such as Europe/Berlin or America/New_York"
        }
    }
}
