import Foundation

/// What names a run in every record: its id, the script's path and hash, and the panel.
public struct RunIdentity: Sendable, Hashable {
    /// The run's id.
    public var runID: String
    /// The script's path as given.
    public var scriptPath: String
    /// SHA-256 of the script's bytes.
    public var scriptHash: String
    /// The panel's name (`eu`, `default`, `emulator`), kept on the run record and its writes.
    public var panel: String?
    /// The fleet the run is one panel of (`--panels`), by id.
    public var fleet: String?

    /// Creates an identity.
    public init(runID: String, scriptPath: String, scriptHash: String, panel: String? = nil, fleet: String? = nil) {
        self.runID = runID
        self.scriptPath = scriptPath
        self.scriptHash = scriptHash
        self.panel = panel
        self.fleet = fleet
    }

    /// A new random run id: 12 hex digits (48 random bits), short enough to type.
    public static func newRunID() -> String {
        // Not through UUID().uuidString and Foundation's string replacing: their first use
        // cost 0.4 ms of every run's start-up.
        var generator = SystemRandomNumberGenerator()
        let digits = String(generator.next() & 0xFFFF_FFFF_FFFF, radix: 16)
        return String(repeating: "0", count: 12 - digits.count) + digits
    }
}

/// ISO 8601 timestamps, UTC, with milliseconds: `2026-11-27T13:45:01.123Z`.
public enum Timestamp {
    /// Formats `date` (milliseconds truncated). Done with `gmtime_r`: Foundation's
    /// `ISO8601FormatStyle` sets up a calendar and time-zone cache on first use, about half a
    /// millisecond of every run's start-up.
    public static func iso(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        var whole = time_t(fraction < 0 ? seconds - 1 : seconds)
        var parts = tm()
        gmtime_r(&whole, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let date = "\(digits(parts.tm_year + 1900, 4))-\(digits(parts.tm_mon + 1, 2))-\(digits(parts.tm_mday, 2))"
        let time = "\(digits(parts.tm_hour, 2)):\(digits(parts.tm_min, 2)):\(digits(parts.tm_sec, 2))"
        return "\(date)T\(time).\(digits(Int32(fraction < 0 ? fraction + 1000 : fraction), 3))Z"
    }
}
