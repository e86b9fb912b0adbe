import LuaHost

/// An argument problem of a script API function, already worded as Lua's
/// `bad argument #n to 'f' (...)`.
package struct BadArgument: Error, LuaRaisable {
    package let message: String

    /// Raised as text, at the script's line.
    package func luaErrorValue() -> LuaValue { .string(LuaString(message)) }
    package init(_ error: LuaArgumentError) { message = error.description }
    package init(_ position: Int, _ function: String, _ problem: String) {
        message = LuaArgumentError(position: position, function: function, problem: problem).description
    }
}
