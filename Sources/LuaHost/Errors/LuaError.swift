/// An error from running Lua code: what went wrong, in words a script author can act on.
public struct LuaError: Error, Sendable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: Sendable, Equatable {
        /// The chunk did not compile; the message has the chunk name and line.
        case syntax
        /// The script raised an error (or called a function wrongly).
        case runtime
        /// A limit stopped the script; it cannot be caught by `pcall`.
        case limit(LuaLimit)
        /// A value could not cross between Lua and Swift (cycle, depth, unsupported type).
        case conversion
        /// The script's error handler failed (Lua's LUA_ERRERR).
        case errorHandler
        /// Lua itself ran out of memory outside the script's limit.
        case memory
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The message, read without running any metamethod of the error value.
    public var message: String
    /// The error value the script raised, converted raw (tables without metamethods).
    public var value: LuaValue?
    /// Lua's stack traceback at the point of the error, when there is one.
    public var traceback: String?

    /// Makes an error.
    public init(_ kind: Kind, _ message: String, value: LuaValue? = nil, traceback: String? = nil) {
        self.kind = kind
        self.message = message
        self.value = value
        self.traceback = traceback
    }

    public var description: String { message }
}

/// A limit on one run of Lua code.
public enum LuaLimit: Sendable, Equatable, CustomStringConvertible {
    /// The instruction budget (count of VM instructions).
    case instructions(Int64)
    /// The memory budget in bytes.
    case memory(Int)
    /// The wall-clock budget.
    case time(Duration)
    /// Another thread asked the run to stop (Ctrl-C, a deadline outside the VM).
    case interrupted
    /// The most tasks (host-driven coroutines) alive at once.
    case tasks(Int)
    /// The host ended the run for a reason of its own (a refused call, an unknown outcome);
    /// the text says which.
    case stopped(String)

    public var description: String {
        switch self {
        case .instructions(let n): "instruction limit of \(n) reached"
        case .memory(let bytes): "memory limit of \(LuaLimits.formatBytes(bytes)) exceeded"
        case .time(let d): "time limit of \(LuaLimits.formatDuration(d)) exceeded"
        case .interrupted: "interrupted"
        case .tasks(let n): "task limit of \(n) live tasks reached"
        case .stopped(let reason): reason
        }
    }
}
