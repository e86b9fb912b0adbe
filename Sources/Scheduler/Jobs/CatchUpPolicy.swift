/// What happens to slots that passed while the daemon was not running (or the machine
/// slept). A slot counts as missed when it is noticed more than the daemon's lateness
/// allowance (`late_after`, 60 s by default) after its time.
public enum CatchUpPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Missed slots do not run.
    case skip
    /// The most recent missed slot runs once (the default); none if an on-time slot is due too.
    case once
    /// Every missed slot runs, oldest first, one after another (at most `maxCatchUp` of them).
    case all
    /// Like `once`, but only if the most recent missed slot is at most this many seconds old.
    case within(seconds: Int64)

    /// The most missed slots `all` replays after one outage; older ones are skipped.
    public static let maxCatchUp = 1000

    public var description: String {
        switch self {
        case .skip: return "skip"
        case .once: return "once"
        case .all: return "all"
        case let .within(seconds): return "within \(DurationText.text(seconds))"
        }
    }
}
