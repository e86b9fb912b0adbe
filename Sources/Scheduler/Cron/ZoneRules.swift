import Foundation

/// UTC offsets of one IANA time zone, with PEP 495 semantics for local times that a
/// transition skips or repeats: `fold` picks the earlier (false) or later (true) reading.
///
/// The fire-time engine works on wall-clock seconds and converts through this type, which
/// asks Foundation's `TimeZone` for offsets and remembers the transitions it has found.
public final class ZoneRules: @unchecked Sendable {
    /// The zone's IANA identifier, e.g. `Europe/Berlin`.
    public let identifier: String
    let timeZone: TimeZone
    private let lock = NSLock()
    // Transitions found so far: instant -> (offset before, offset after). Guarded by `lock`.
    private var transitions: [Int64: (before: Int64, after: Int64)] = [:]

    /// Loads a zone by IANA name.
    /// - Throws: `CronError.unknownTimeZone` when the name is not a known zone.
    public init(identifier: String) throws(CronError) {
        guard let zone = TimeZone(identifier: identifier) else {
            throw CronError.unknownTimeZone(identifier)
        }
        self.identifier = identifier
        self.timeZone = zone
    }

    /// The UTC zone.
    public static let utc: ZoneRules = try! ZoneRules(identifier: "UTC")

    /// Offset from UTC in seconds at an instant (seconds since the epoch).
    public func offset(at instant: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

    /// The first instant in `(low, high]` whose offset differs from the offset at `low`.
    private func transition(after low: Int64, before high: Int64) -> (at: Int64, before: Int64, after: Int64) {
        lock.lock()
        for (at, offsets) in transitions where at > low && at <= high {
            lock.unlock()
            return (at, offsets.before, offsets.after)
        }
        lock.unlock()
        let before = offset(at: low)
        var lo = low
        var hi = high
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if offset(at: mid) == before { lo = mid } else { hi = mid }
        }
        let after = offset(at: hi)
        lock.lock()
        transitions[hi] = (before, after)
        lock.unlock()
        return (hi, before, after)
    }

    /// The instant of a wall-clock time; `fold` chooses between the two readings of a
    /// repeated time, and a skipped time is read with the offset before (false) or after
    /// (true) the transition, as Python's `zoneinfo` does.
    public func instant(wall: Int64, fold: Bool) -> Int64 {
        let low = wall - CivilTime.secondsPerDay
        let high = wall + CivilTime.secondsPerDay
        let before = offset(at: low)
        let after = offset(at: high)
        if before == after { return wall - before }
        let t = transition(after: low, before: high)
        // Where the transition sits on the wall clock, per fold (zoneinfo's `_ts_to_local`).
        let position = fold ? t.at + min(t.before, t.after) : t.at + max(t.before, t.after)
        return wall - (wall >= position ? t.after : t.before)
    }

    /// The wall-clock reading of an instant, with `fold` set on the second pass of a
    /// repeated local time.
    public func wall(at instant: Int64) -> (wall: Int64, fold: Bool) {
        let now = offset(at: instant)
        let wall = instant + now
        let earlier = offset(at: instant - CivilTime.secondsPerDay)
        guard earlier > now else { return (wall, false) }
        let t = transition(after: instant - CivilTime.secondsPerDay, before: instant)
        return (wall, instant - t.at < t.before - t.after)
    }

    /// The first instant in `(low, high]` at which the offset differs from the one at `low`,
    /// or nil if it holds all the way. Looked at a day at a time, so two changes that undo
    /// each other within one day (no zone has them) would go unseen.
    public func firstChange(after low: Int64, through high: Int64) -> Int64? {
        let start = offset(at: low)
        var from = low
        while from < high {
            let to = min(high, from + CivilTime.secondsPerDay)
            if offset(at: to) != start { return transition(after: from, before: to).at }
            from = to
        }
        return nil
    }

    /// Whether a wall-clock time does not exist in this zone (skipped by a transition).
    public func isSkipped(wall: Int64) -> Bool {
        self.wall(at: instant(wall: wall, fold: false)).wall != wall
    }
}
