import CLua
import CLuaShim

/// One host function registered in one VM: what Lua's light userdata upvalue points at.
final class HostBinding {
    unowned(unsafe) let vm: LuaVM
    let function: LuaHostFunction
    /// The function's body, copied here so the hot path reads it from a guaranteed reference.
    let body: (LuaArguments) throws -> LuaReturn

    init(vm: LuaVM, function: LuaHostFunction) {
        self.vm = vm
        self.function = function
        self.body = function.body
    }
}

extension LuaVM {
    /// Installs the process-wide dispatcher the C trampoline calls (once).
    static let installDispatch: Void = ns_set_dispatch { state, binding in
        // Guaranteed reference: the VM keeps every binding alive, so no retain is needed.
        Unmanaged<HostBinding>.fromOpaque(binding!)._withUnsafeGuaranteedRef { $0.call(state!) }
    }

    /// Pushes a Lua function that calls `function` through the trampoline.
    func pushHostFunction(_ function: LuaHostFunction, on L: OpaquePointer) {
        let binding = HostBinding(vm: self, function: function)
        bindings.append(binding)
        ns_push_host_function(L, Unmanaged.passUnretained(binding).toOpaque())
    }
}

extension HostBinding {
    /// Runs the host function for the trampoline. Never raises: it returns the number of
    /// results, or a sentinel telling C to raise the value it left on top of the stack.
    func call(_ L: OpaquePointer) -> Int32 {
        let thread = vm.thread
        let outer = thread.pointee
        thread.pointee = L
        defer { thread.pointee = outer }
        do {
            let result = try body(LuaArguments(state: L, binding: self, count: Int(lua_gettop(L))))
            // One integer result is the hot path of every call; the rest is kept out of line
            // so that this frame stays small.
            if case .one(let value) = result, case .integer(let i) = value {
                lua_pushinteger(L, i)
                return 1
            }
            return try push(result, on: L)
        } catch {
            return LuaVM.raise(error, on: L, vm: vm)
        }
    }

    @inline(never)
    private func push(_ result: LuaReturn, on L: OpaquePointer) throws(LuaError) -> Int32 {
        switch result {
        case .none:
            return 0
        case .one(let value):
            try LuaStack(L: L, vm: vm).push(value)
            return 1
        case .many(let values):
            guard lua_checkstack(L, Int32(clamping: values.count)) != 0 else {
                throw LuaError(.conversion, "too many results (\(values.count))")
            }
            let stack = LuaStack(L: L, vm: vm)
            for value in values { try stack.push(value) }
            return Int32(values.count)
        case .yield:
            return Int32(NS_YIELD)
        case .stop:
            return Int32(NS_STOP)
        }
    }
}

extension LuaVM {
    /// Leaves the Lua value for a host function's error on top of the stack and says how to raise it.
    @inline(never)
    static func raise(_ error: any Error, on L: OpaquePointer, vm: LuaVM) -> Int32 {
        let stack = LuaStack(L: L, vm: vm)
        switch error {
        case let error as LuaArgumentError:
            return raise(L, message: error.description)
        case let error as LuaRaisable:
            let value = error.luaErrorValue()
            if case .string(let s) = value { return raise(L, message: s.bytes) }
            do {
                try stack.push(value)
                // An error object: `tostring` of it is its message.
                if case .table = value { ns_set_error_metatable(L) }
                return Int32(NS_RAISE)
            } catch {
                return raise(L, message: error.message)
            }
        case let error as LuaError:
            // An error from Lua code the host function called: pass the script's own value on.
            if let value = error.value, (try? stack.push(value)) != nil { return Int32(NS_RAISE) }
            _ = lua_checkstack(L, 2)
            lua_pushstring(L, error.message)
            return Int32(NS_RAISE)
        default:
            return raise(L, message: String(describing: error))
        }
    }

    private static func raise(_ L: OpaquePointer, message: String) -> Int32 {
        raise(L, message: Array(message.utf8))
    }

    private static func raise(_ L: OpaquePointer, message: [UInt8]) -> Int32 {
        _ = lua_checkstack(L, 2)
        message.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
        }
        return Int32(NS_RAISE_WHERE)
    }
}
