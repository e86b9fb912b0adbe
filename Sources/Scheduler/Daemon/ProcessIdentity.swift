import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a process's start time from `/proc`, which with the pid identifies it uniquely.
public enum ProcessIdentity {
    /// The start time (clock ticks after boot) of a live process, or nil if it is gone.
    public static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name, which may itself contain spaces and parentheses.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Field 22 of the whole line is the 20th after "pid (comm)".
        return fields.count > 19 ? String(fields[19]) : nil
    }

    /// Whether the process `pid` is still the one recorded and has not ended (a zombie has
    /// ended: its exit waits only to be collected).
    public static func isRunning(pid: Int32, identity: String?) -> Bool {
        guard let identity, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, String(fields[19]) == identity else { return false }
        return fields[0] != "Z" && fields[0] != "X"
    }
}
