import Foundation

/// A process as run records name it: its pid and its start time (Linux's
/// `/proc/PID/stat` field 22, clock ticks since boot), so that a pid the kernel has reused
/// for another process is not mistaken for the run's.
public struct ProcessIdentity: Sendable, Hashable {
    /// The process id.
    public var pid: Int32
    /// The start time in clock ticks since boot.
    public var startTime: Int64

    /// Creates an identity.
    public init(pid: Int32, startTime: Int64) {
        self.pid = pid
        self.startTime = startTime
    }

    /// This process; nil where `/proc` cannot be read.
    public static var current: ProcessIdentity? {
        let pid = ProcessInfo.processInfo.processIdentifier
        return stat(pid).map { ProcessIdentity(pid: pid, startTime: $0.startTime) }
    }

    /// The live process `pid`, or nil if it is gone.
    public static func of(_ pid: Int32) -> ProcessIdentity? {
        stat(pid).map { ProcessIdentity(pid: pid, startTime: $0.startTime) }
    }

    /// Whether process `pid` is still the one whose start time was recorded as `identity`
    /// (the scheduler's store keeps it as text) and has not ended.
    public static func isRunning(pid: Int32, identity: String?) -> Bool {
        guard let identity, let startTime = Int64(identity) else { return false }
        return ProcessIdentity(pid: pid, startTime: startTime).isAlive
    }

    /// Whether this very process is still alive: its pid exists, started at the same time,
    /// and has not exited (a zombie has).
    public var isAlive: Bool {
        guard let stat = Self.stat(pid) else { return false }
        return stat.startTime == startTime && stat.state != "Z" && stat.state != "X"
    }

    /// State (field 3) and start time (field 22) of `/proc/PID/stat`.
    private static func stat(_ pid: Int32) -> (state: Character, startTime: Int64)? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        // The command name (field 2) is in parentheses and may hold spaces or ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19, let state = fields[0].first, let start = Int64(fields[19]) else { return nil }
        return (state, start)
    }
}
