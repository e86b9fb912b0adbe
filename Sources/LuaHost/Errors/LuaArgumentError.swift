/// A bad argument to a host function, worded as Lua's own `luaL_argerror`:
/// `bad argument #2 to 'add_credits' (number expected, got string)`.
///
/// Thrown from a host function, it becomes a Lua error prefixed with the caller's position.
public struct LuaArgumentError: Error, Sendable, CustomStringConvertible {
    /// The 1-based argument position.
    public var position: Int
    /// The function's name as scripts call it.
    public var function: String
    /// What was wrong, e.g. `number expected, got string`.
    public var problem: String

    /// Makes an argument error.
    public init(position: Int, function: String, problem: String) {
        self.position = position
        self.function = function
        self.problem = problem
    }

    public var description: String { "bad argument #\(position) to '\(function)' (\(problem))" }
}

/// A host function failure that a script should see as a specific Lua value (for example
/// a table with `kind` and `message` fields that `pcall` can branch on). It is raised when
/// the host function throws it, or when its task is resumed with it
/// (``LuaVM/resume(_:raising:)``).
public protocol LuaRaisable: Error {
    /// The value raised in Lua. A string value gets the caller's position prefixed; a table
    /// gets a metatable whose `__tostring` gives its `message` field.
    func luaErrorValue() -> LuaValue
}
