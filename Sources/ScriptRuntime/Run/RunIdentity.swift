import Foundation

/// What names a run in every record: its id, and the script's path and hash.
public struct RunIdentity: Sendable, Hashable {
    /// The run's id.
    public var runID: String
    /// The script's path as given.
    public var scriptPath: String
    /// SHA-256 of the script's bytes.
    public var scriptHash: String

    /// Creates an identity.
    public init(runID: String, scriptPath: String, scriptHash: String) {
        self.runID = runID
        self.scriptPath = scriptPath
        self.scriptHash = scriptHash
    }

    /// A new random run id: 12 hex digits, short enough to type.
    public static func newRunID() -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12))
    }
}

/// ISO 8601 timestamps, UTC, with milliseconds: `2026-11-27T13:45:01.123Z`.
public enum Timestamp {
    /// Formats `date`.
    public static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
