import Foundation

/// The resource limits of each top-level call into a VM (a run, or one REPL statement).
///
/// Every limit, once reached, ends the call: the script's `pcall`, `xpcall`, coroutines and
/// `<close>` handlers cannot catch it (see docs/sandbox.md).
public struct LuaLimits: Sendable, Equatable {
    /// VM instructions per call; `nil` for no limit. Default: 1,000,000,000.
    public var instructions: Int64?
    /// Bytes the whole VM may hold (live data and uncollected garbage); `nil` for no limit.
    /// Default: 64 MiB.
    public var memory: Int?
    /// Wall-clock time per call; `nil` for no limit. Default: 30 seconds.
    public var time: Duration?
    /// Largest table nesting converted between Lua and Swift. Default: 64.
    public var conversionDepth: Int
    /// Most table entries (all levels together) converted in one value. Default: 1,000,000.
    public var conversionEntries: Int

    /// The defaults documented in docs/sandbox.md.
    public init(
        instructions: Int64? = 1_000_000_000,
        memory: Int? = 64 << 20,
        time: Duration? = .seconds(30),
        conversionDepth: Int = 64,
        conversionEntries: Int = 1_000_000
    ) {
        self.instructions = instructions
        self.memory = memory
        self.time = time
        self.conversionDepth = conversionDepth
        self.conversionEntries = conversionEntries
    }

    /// No limits at all, for trusted code.
    public static let none = LuaLimits(instructions: nil, memory: nil, time: nil)

    static func formatBytes(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    static func formatDuration(_ d: Duration) -> String {
        let (seconds, attoseconds) = d.components
        if attoseconds == 0 { return "\(seconds) s" }
        let total = Double(seconds) + Double(attoseconds) / 1e18
        return total < 1 ? "\(Int((total * 1000).rounded())) ms" : String(format: "%.3g s", total)
    }
}
