import CLua
import CLuaShim

/// A coroutine the host makes and drives (a task), rather than the script's own
/// `coroutine.resume`.
///
/// Made by ``LuaArguments/makeCoroutine(functionAt:)`` inside a host function, run
/// with ``LuaVM/resume(_:with:)``, and given back with ``LuaVM/release(_:)``. A host function
/// called on it may return ``LuaReturn/yield`` while ``LuaArguments/canYield`` is true: the
/// coroutine then waits until the host resumes it, and the values it is resumed with become
/// that host function's results. Used on the VM's thread only.
public final class LuaCoroutine {
    let vmID: UInt64
    /// The registry slot that keeps the thread alive.
    let ref: Int32
    let state: OpaquePointer
    /// Values on the stack for the first resume (the body's arguments); 0 once started.
    var startArguments: Int32

    init(vmID: UInt64, ref: Int32, state: OpaquePointer, startArguments: Int32) {
        self.vmID = vmID
        self.ref = ref
        self.state = state
        self.startArguments = startArguments
    }

    /// Identifies the coroutine's Lua thread, to compare with ``LuaArguments/thread``.
    public var thread: LuaThreadID { LuaThreadID(state) }
}

/// Identifies one Lua thread (the main state or a coroutine) of a VM.
public struct LuaThreadID: Hashable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// How a resume of a host-driven coroutine ended.
public enum LuaResumeOutcome {
    /// It waits: a host function returned ``LuaReturn/yield``, or the script called
    /// `coroutine.yield` itself.
    case yielded
    /// Its body returned these values (read raw; a value that cannot be converted is nil).
    case finished([LuaValue])
    /// Its body raised an error (a limit trip included: see ``LuaError/kind``).
    case failed(LuaError)
}

extension LuaArguments {
    /// Whether the host function may return ``LuaReturn/yield`` now: it runs on a coroutine
    /// and no C call (a `table.sort` comparator, a `gsub` callback, a metamethod called from
    /// C) stands between it and the coroutine's resume.
    public var canYield: Bool { ns_isyieldable(state) != 0 }

    /// The Lua thread this call runs on.
    public var thread: LuaThreadID { LuaThreadID(state) }

    /// Makes a coroutine that will run argument `function` with the arguments after it
    /// (copied as they are: tables and functions keep their identity). Start it with
    /// ``LuaVM/resume(_:with:)``.
    public func makeCoroutine(functionAt function: Int) throws(LuaArgumentError) -> LuaCoroutine {
        guard function <= count, lua_type(state, Int32(function)) == LUA_TFUNCTION else { throw expected(function, "function") }
        let values = Int32(count - function + 1)
        guard lua_checkstack(state, 2) != 0 else { throw error(function, "Lua stack overflow") }
        let co = ns_newthread(state)!
        let ref = luaL_ref(state, ns_registryindex())
        guard lua_checkstack(co, values + 2) != 0, lua_checkstack(state, values + 2) != 0 else {
            luaL_unref(state, ns_registryindex(), ref)
            throw error(function, "too many arguments (\(values - 1))")
        }
        for index in Int32(function)...Int32(count) { lua_pushvalue(state, index) }
        ns_xmove(state, co, values)
        return LuaCoroutine(vmID: vm.id, ref: ref, state: co, startArguments: values - 1)
    }
}

extension LuaVM {
    /// Runs `coroutine` until it yields, returns or fails, passing `values` to the host
    /// function it waits in (or, on the first resume, after its start arguments).
    ///
    /// Call it on the VM's thread from inside a host function (a call into Lua is running) or
    /// between calls. The caller checks ``isStopping`` first: a coroutine resumed after a
    /// trip fails at once with that trip.
    public func resume(_ coroutine: LuaCoroutine, with values: [LuaValue] = []) -> LuaResumeOutcome {
        let co = coroutine.state
        let stack = LuaStack(L: co, vm: self)
        ns_enter_host(control.pointer)
        guard lua_checkstack(co, Int32(clamping: values.count + 2)) != 0 else {
            ns_leave_host(control.pointer)
            return .failed(LuaError(.conversion, "too many values to resume a task with (\(values.count))"))
        }
        for value in values {
            do {
                try stack.push(value)
            } catch {
                ns_leave_host(control.pointer)
                return .failed(error)
            }
        }
        ns_leave_host(control.pointer)
        let arguments = coroutine.startArguments + Int32(values.count)
        coroutine.startArguments = 0
        var results: Int32 = 0
        let status = ns_resume(co, current, arguments, &results)
        return outcome(of: status, on: coroutine)
    }

    /// What a resume of `coroutine` that ended with `status` came to.
    private func outcome(of status: Int32, on coroutine: LuaCoroutine) -> LuaResumeOutcome {
        let co = coroutine.state
        let stack = LuaStack(L: co, vm: self)
        ns_enter_host(control.pointer)
        defer { ns_leave_host(control.pointer) }
        switch status {
        case Int32(NS_LUA_YIELD):
            lua_settop(co, 0)  // whatever a plain coroutine.yield passed: nobody receives it
            return .yielded
        case LUA_OK:
            var values: [LuaValue] = []
            let top = lua_gettop(co)
            if top > 0 {
                for index in 1...top { values.append((try? stack.read(at: index)) ?? .nil) }
            }
            lua_settop(co, 0)
            return .finished(values)
        default:
            _ = lua_checkstack(current, 2)
            ns_push_traceback_of(current, co, 0)
            let traceback = String(decoding: LuaStack(L: current, vm: self).bytes(at: -1), as: UTF8.self)
            lua_settop(current, -2)
            let error = failure(status: status, on: co, traceback: traceback)
            return .failed(error)
        }
    }

    /// Resumes `coroutine`, which waits in a host function that returned
    /// ``LuaReturn/yield``, so that the host function raises `error` at its caller's line
    /// instead of returning: as a thrown error is raised (a ``LuaRaisable`` as its value, any
    /// other error as its description).
    public func resume(_ coroutine: LuaCoroutine, raising error: any Error) -> LuaResumeOutcome {
        let co = coroutine.state
        ns_enter_host(control.pointer)
        _ = lua_checkstack(co, 3)
        let how = LuaVM.raise(error, on: co, vm: self)
        ns_leave_host(control.pointer)
        var results: Int32 = 0
        let status = ns_resume_raising(co, current, how, &results)
        return outcome(of: status, on: coroutine)
    }

    /// Lets Lua collect the coroutine (it must not be resumed again).
    public func release(_ coroutine: LuaCoroutine) {
        guard coroutine.vmID == id else { return }
        luaL_unref(main, ns_registryindex(), coroutine.ref)
    }

    /// Whether the current call is stopping: a limit tripped, an interrupt was asked for, or
    /// the deadline passed. A host function that waits checks it and returns
    /// ``LuaReturn/stop``.
    public var isStopping: Bool { ns_stopping(control.pointer) != 0 }

    /// Ends the current call with a limit the host enforces itself (such as too many live
    /// tasks): like the VM's own limits, `pcall` cannot catch it. The first trip wins.
    public func trip(_ limit: LuaLimit) {
        let c = control.pointer
        guard ns_tripped(c) == NS_TRIP_NONE else { return }
        ns_enter_host(c)
        defer { ns_leave_host(c) }
        if let ref = hostTripRef { luaL_unref(main, ns_registryindex(), ref) }
        lua_pushstring(main, limit.description)
        let ref = luaL_ref(main, ns_registryindex())
        hostTripRef = ref
        hostLimit = limit
        ns_set_trip_message(c, NS_TRIP_HOST, ref)
        ns_trip_host(c)
    }
}
