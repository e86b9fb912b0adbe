import CLua
import CLuaShim

/// The arguments of one call from Lua into a host function, read in place on Lua's stack.
///
/// Valid only during the call. Every reader uses raw access only: a script's metamethods
/// never run from host code. Failures throw `LuaArgumentError` worded as Lua's own.
public struct LuaArguments {
    @usableFromInline let state: OpaquePointer
    unowned(unsafe) let binding: HostBinding
    /// How many arguments were passed.
    public let count: Int

    init(state: OpaquePointer, binding: HostBinding, count: Int) {
        self.state = state
        self.binding = binding
        self.count = count
    }

    /// The function's name as scripts call it.
    public var functionName: String { binding.function.name }
    /// The VM running the call: use it to call back into Lua instead of capturing the VM in
    /// the function's closure (a VM holds its functions, so a captured VM is never freed).
    public var vm: LuaVM { binding.vm }

    /// The Lua type name of argument `i` (1-based), or `"no value"` past the end.
    public func typeName(_ i: Int) -> String {
        i > count ? "no value" : String(cString: lua_typename(state, lua_type(state, Int32(i))))
    }

    /// Whether argument `i` is a table (without making a string of its type name).
    public func isTable(_ i: Int) -> Bool {
        i <= count && lua_type(state, Int32(i)) == LUA_TTABLE
    }

    /// Whether argument `i` is absent or nil.
    public func isNil(_ i: Int) -> Bool {
        i > count || lua_type(state, Int32(i)) == LUA_TNIL
    }

    /// An error about argument `i` in Lua's words.
    public func error(_ i: Int, _ problem: String) -> LuaArgumentError {
        LuaArgumentError(position: i, function: functionName, problem: problem)
    }

    @usableFromInline
    func expected(_ i: Int, _ what: String) -> LuaArgumentError {
        error(i, "\(what) expected, got \(typeName(i))")
    }

    /// Argument `i` as an integer, as `luaL_checkinteger` reads it: integers, floats with an
    /// exact integer value and strings that convert to one (`"10"`) are accepted; fractions,
    /// NaN, infinities and values outside the 64-bit range are refused.
    @inlinable @inline(__always)
    public func integer(_ i: Int) throws(LuaArgumentError) -> Int64 {
        // Inlinable, one Lua API call: reading integers is the hot path of host functions.
        var isInteger: Int32 = 0
        let value = ns_tointeger(state, Int32(truncatingIfNeeded: i), &isInteger)
        if isInteger != 0, i <= count { return value }
        throw integerFailure(i)
    }

    @usableFromInline
    func integerFailure(_ i: Int) -> LuaArgumentError {
        let idx = Int32(truncatingIfNeeded: i)
        guard i <= count else { return expected(i, "number") }
        var isNumber: Int32 = 0
        let d = ns_tonumber(state, idx, &isNumber)
        guard isNumber != 0 else { return expected(i, "number") }
        if d.isNaN || d.isInfinite { return error(i, "finite number expected, got \(LuaValue.format(d))") }
        return error(i, "number has no integer representation")
    }

    /// Argument `i` as an integer, or `nil` when absent or nil.
    public func optionalInteger(_ i: Int) throws(LuaArgumentError) -> Int64? {
        isNil(i) ? nil : try integer(i)
    }

    /// Argument `i` as a finite number, as `luaL_checknumber` reads it (numeric strings are
    /// converted); NaN and infinities are refused.
    public func number(_ i: Int) throws(LuaArgumentError) -> Double {
        let idx = Int32(i)
        var isNumber: Int32 = 0
        let d = ns_tonumber(state, idx, &isNumber)
        guard i <= count, isNumber != 0 else { throw expected(i, "number") }
        guard d.isFinite else { throw error(i, "finite number expected, got \(LuaValue.format(d))") }
        return d
    }

    /// Argument `i` as a string's bytes. Numbers are not converted (unlike `luaL_checkstring`):
    /// a number where a name is expected is usually a mistake worth reporting.
    public func bytes(_ i: Int) throws(LuaArgumentError) -> [UInt8] {
        guard i <= count, lua_type(state, Int32(i)) == LUA_TSTRING else { throw expected(i, "string") }
        var length = 0
        let p = ns_tolstring(state, Int32(i), &length)!
        return p.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// Argument `i` as UTF-8 text.
    public func string(_ i: Int) throws(LuaArgumentError) -> String {
        let raw = try bytes(i)
        guard let text = String(validating: raw, as: UTF8.self) else { throw error(i, "string is not valid UTF-8") }
        return text
    }

    /// Argument `i` as text, or `nil` when absent or nil.
    public func optionalString(_ i: Int) throws(LuaArgumentError) -> String? {
        isNil(i) ? nil : try string(i)
    }

    /// Argument `i` as a boolean (strictly: `1` or `"yes"` are refused).
    public func boolean(_ i: Int) throws(LuaArgumentError) -> Bool {
        guard i <= count, lua_type(state, Int32(i)) == LUA_TBOOLEAN else { throw expected(i, "boolean") }
        return lua_toboolean(state, Int32(i)) != 0
    }

    /// Argument `i` converted to a `LuaValue` (tables copied raw, with depth, size and cycle checks).
    public func value(_ i: Int) throws(LuaArgumentError) -> LuaValue {
        if i > count { return .nil }
        do {
            return try LuaStack(L: state, vm: vm).read(at: Int32(i))
        } catch {
            throw self.error(i, error.message)
        }
    }

    /// Argument `i` as a table, converted.
    public func table(_ i: Int) throws(LuaArgumentError) -> LuaTable {
        guard i <= count, lua_type(state, Int32(i)) == LUA_TTABLE else { throw expected(i, "table") }
        guard case .table(let t) = try value(i) else { throw expected(i, "table") }
        return t
    }

    /// Every argument, converted.
    public func all() throws(LuaArgumentError) -> [LuaValue] {
        var values: [LuaValue] = []
        values.reserveCapacity(count)
        for i in stride(from: 1, through: count, by: 1) { values.append(try value(i)) }
        return values
    }

    /// `chunk:line` of the Lua code that made this call, passing over frames of the chunk
    /// named `skipping` (a host's own Lua wrappers); nil when no Lua code is on the stack.
    public func callerLocation(skipping chunk: String? = nil) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let found = buffer.withUnsafeMutableBufferPointer { out in
            chunk.map { name in name.withCString { ns_caller_location(state, $0, out.baseAddress, out.count) } }
                ?? ns_caller_location(state, nil, out.baseAddress, out.count)
        }
        guard found != 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Refuses arguments past `n`, so a typo'd extra argument is not silently ignored.
    public func expectAtMost(_ n: Int) throws(LuaArgumentError) {
        if count > n { throw error(n + 1, "no value expected, got \(typeName(n + 1))") }
    }
}
