/// A Swift function that scripts can call.
///
/// The body reads its arguments in place on Lua's stack and returns its results; a thrown
/// error becomes a Lua error raised after the Swift frame has returned (the trampoline in
/// CLuaShim), so no Lua error ever unwinds through Swift.
public final class LuaHostFunction: @unchecked Sendable {
    // Immutable after init; the box is only ever called on the VM's thread.
    /// The name scripts see in error messages (`bad argument #1 to 'NAME'`).
    public let name: String
    let body: (LuaArguments) throws -> LuaReturn

    /// Makes a host function.
    /// - Parameters:
    ///   - name: the name used in argument errors.
    ///   - body: reads the arguments and returns the results.
    public init(_ name: String, _ body: @escaping (LuaArguments) throws -> LuaReturn) {
        self.name = name
        self.body = body
    }
}

/// What a host function returns to Lua.
public enum LuaReturn: Sendable {
    /// No results.
    case none
    /// One result (no array allocated: the common, fast case).
    case one(LuaValue)
    /// Any number of results.
    case many([LuaValue])
    /// Suspends the coroutine the call runs on, for the host to resume later (see
    /// ``LuaCoroutine``); only when ``LuaArguments/canYield`` is true. The values it is
    /// resumed with become the call's results.
    case yield
    /// The run is stopping (``LuaVM/isStopping``): raises the limit or interrupt that stops it,
    /// which `pcall` cannot catch.
    case stop
}

/// A table of host functions and constants that scripts see as one global (`resellers`, `log`).
public struct LuaModule: Sendable {
    /// The global name.
    public var name: String
    /// The functions, by field name.
    public var functions: [LuaHostFunction]
    /// Constant fields (strings, numbers, nested tables).
    public var constants: [String: LuaValue]

    /// Makes a module. Functions are exposed under their own `name` with the `module.` prefix
    /// (this module's name) removed.
    public init(_ name: String, functions: [LuaHostFunction], constants: [String: LuaValue] = [:]) {
        self.name = name
        self.functions = functions
        self.constants = constants
    }
}
