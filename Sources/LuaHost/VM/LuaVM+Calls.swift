import CLua
import CLuaShim

extension LuaVM {
    /// Compiles a text chunk (binary chunks are always refused).
    /// - Parameter chunkName: shown in error messages and tracebacks, e.g. `topup.lua:3:`.
    public func load(_ source: String, chunkName: String) throws(LuaError) -> LuaFunctionRef {
        try load(bytes: Array(source.utf8), chunkName: chunkName)
    }

    /// Compiles a text chunk given as bytes.
    public func load(bytes source: [UInt8], chunkName: String) throws(LuaError) -> LuaFunctionRef {
        let L = current
        ns_enter_host(control.pointer)
        defer { ns_leave_host(control.pointer) }
        guard lua_checkstack(L, 2) != 0 else { throw LuaError(.memory, "Lua stack overflow") }
        let name = "=" + chunkName
        let status = source.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { text in
                name.withCString { luaL_loadbufferx(L, text.baseAddress, text.count, $0, "t") }
            }
        }
        guard status == LUA_OK else {
            let message = String(decoding: LuaStack(L: L, vm: self).bytes(at: -1), as: UTF8.self)
            lua_settop(L, -2)
            throw LuaError(status == LUA_ERRSYNTAX ? .syntax : .memory, message)
        }
        return .init(vmID: id, ref: luaL_ref(L, ns_registryindex()))
    }

    /// Calls a Lua function in protected mode and returns all its results.
    ///
    /// A top-level call (not from inside a host function) starts a fresh budget: the
    /// instruction count, the deadline and the interrupt flag are reset.
    public func call(_ function: LuaFunctionRef, _ arguments: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        try call(function, arguments) { stack, index throws(LuaError) in try stack.read(at: index) }
    }

    /// Calls a Lua function like `call(_:_:)` and reads its results for display: cycles,
    /// functions, threads and userdata are described instead of refused.
    /// - Parameters:
    ///   - depth: tables nested deeper are shown as `.elided`.
    ///   - width: entries after this many in one table are counted in `omitted`.
    public func callForDisplay(
        _ function: LuaFunctionRef, _ arguments: [LuaValue] = [], depth: Int = 4, width: Int = 50
    ) throws(LuaError) -> [LuaSnapshot] {
        try call(function, arguments) { stack, index in stack.snapshot(at: index, depth: depth, width: width) }
    }

    private func call<Result>(
        _ function: LuaFunctionRef, _ arguments: [LuaValue], read: (LuaStack, Int32) throws(LuaError) -> Result
    ) throws(LuaError) -> [Result] {
        guard function.vmID == id else { throw LuaError(.conversion, "a function from another Lua VM cannot be called here") }
        let L = current
        let stack = LuaStack(L: L, vm: self)
        let base = lua_gettop(L)
        ns_enter_host(control.pointer)
        guard lua_checkstack(L, Int32(clamping: arguments.count + 2)) != 0 else {
            ns_leave_host(control.pointer)
            throw LuaError(.conversion, "too many arguments (\(arguments.count))")
        }
        lua_rawgeti(L, ns_registryindex(), lua_Integer(function.ref))
        do {
            for argument in arguments { try stack.push(argument) }
        } catch {
            lua_settop(L, base)
            ns_leave_host(control.pointer)
            throw error
        }
        ns_leave_host(control.pointer)

        if callDepth == 0 { startBudget(L) }
        callDepth += 1
        let status = ns_protected_call(L, Int32(arguments.count), Int32(NS_LUA_MULTRET))
        callDepth -= 1

        ns_enter_host(control.pointer)
        defer {
            lua_settop(L, base)
            ns_leave_host(control.pointer)
        }
        guard status == LUA_OK else { throw failure(status: status, on: L) }
        // A script can catch a trip and return before the hook raises again: still a trip.
        if callDepth == 0, ns_tripped(control.pointer) != NS_TRIP_NONE {
            let limit = limit(for: ns_tripped(control.pointer))
            throw LuaError(.limit(limit), limit.description)
        }
        var results: [Result] = []
        let top = lua_gettop(L)
        if top > base {
            results.reserveCapacity(Int(top - base))
            for index in (base + 1)...top { results.append(try read(stack, index)) }
        }
        return results
    }

    /// Compiles and runs a chunk; `arguments` are its `...`.
    public func run(_ source: String, chunkName: String = "chunk", arguments: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        let chunk = try load(source, chunkName: chunkName)
        defer { release(chunk) }
        return try call(chunk, arguments)
    }

    /// Lets Lua collect the function once nothing else refers to it.
    public func release(_ function: LuaFunctionRef) {
        guard function.vmID == id else { return }
        luaL_unref(main, ns_registryindex(), function.ref)
    }

    private func startBudget(_ L: OpaquePointer) {
        let c = control.pointer
        ns_reset_budget(L)
        if let memory = limits.memory, memoryUsed > memory {
            // Garbage left by an earlier call must not count against this one.
            _ = ns_gc_collect(L)
        }
        callDeadline = limits.time.map { ContinuousClock.now + $0 }
        if let time = limits.time {
            let (seconds, attoseconds) = time.components
            let nanos = UInt64(max(0, seconds)) &* 1_000_000_000 &+ UInt64(max(0, attoseconds) / 1_000_000_000)
            ns_set_deadline(c, ns_monotonic_ns() &+ nanos)
        } else {
            ns_set_deadline(c, 0)
        }
    }

    /// Turns the error on top of the stack into a `LuaError`, reading it without metamethods.
    private func failure(status: Int32, on L: OpaquePointer) -> LuaError {
        let stack = LuaStack(L: L, vm: self)
        ns_push_last_traceback(L)
        let traceback = lua_type(L, -1) == LUA_TSTRING ? String(decoding: stack.bytes(at: -1), as: UTF8.self) : nil
        lua_settop(L, -2)
        return failure(status: status, on: L, traceback: traceback)
    }

    /// Turns the error on top of `L`'s stack into a `LuaError` with the given traceback.
    func failure(status: Int32, on L: OpaquePointer, traceback: String?) -> LuaError {
        let stack = LuaStack(L: L, vm: self)
        let trip = ns_tripped(control.pointer)
        if trip != NS_TRIP_NONE {
            let limit = limit(for: trip)
            return LuaError(.limit(limit), limit.description, traceback: traceback)
        }
        let value = try? stack.read(at: -1)
        switch status {
        case LUA_ERRMEM:
            return LuaError(.memory, "not enough memory", traceback: traceback)
        case LUA_ERRERR:
            return LuaError(.errorHandler, "error in error handling", value: value, traceback: traceback)
        default:
            let typeName = String(cString: lua_typename(L, lua_type(L, -1)))
            return LuaError(.runtime, LuaVM.message(of: value, typeName: typeName), value: value, traceback: traceback)
        }
    }

    /// The readable message of an error value: strings and numbers as they are; a table's
    /// raw `message` field; otherwise what Lua's own interpreter says.
    static func message(of value: LuaValue?, typeName: String) -> String {
        switch value {
        case .string(let s): return s.description
        case .integer, .number: return value!.description
        case .table(let t):
            if case .string(let s) = t["message"] { return s.description }
            return "(error object is a table value)"
        default: return "(error object is a \(typeName) value)"
        }
    }
}
