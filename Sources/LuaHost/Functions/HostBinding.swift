import CLua
import CLuaShim

/// One host function registered in one VM: what Lua's light userdata upvalue points at.
final class HostBinding {
    unowned(unsafe) let vm: LuaVM
    let function: LuaHostFunction

    init(vm: LuaVM, function: LuaHostFunction) {
        self.vm = vm
        self.function = function
    }
}

extension LuaVM {
    /// Installs the process-wide dispatcher the C trampoline calls (once).
    static let installDispatch: Void = ns_set_dispatch { state, binding in
        LuaVM.dispatch(state!, Unmanaged<HostBinding>.fromOpaque(binding!).takeUnretainedValue())
    }

    /// Pushes a Lua function that calls `function` through the trampoline.
    func pushHostFunction(_ function: LuaHostFunction, on L: OpaquePointer) {
        let binding = HostBinding(vm: self, function: function)
        bindings.append(binding)
        ns_push_host_function(L, Unmanaged.passUnretained(binding).toOpaque())
    }

    /// Runs a host function for the trampoline. Never raises: it returns the number of
    /// results, or a sentinel telling C to raise the value it left on top of the stack.
    static func dispatch(_ L: OpaquePointer, _ binding: HostBinding) -> Int32 {
        let vm = binding.vm
        let function = binding.function
        let outer = vm.current
        vm.current = L
        defer { vm.current = outer }
        let stack = LuaStack(L: L, vm: vm)
        do {
            let args = LuaArguments(state: L, vm: vm, functionName: function.name, count: Int(lua_gettop(L)))
            switch try function.body(args) {
            case .none:
                return 0
            case .one(let value):
                try stack.push(value)
                return 1
            case .many(let values):
                guard lua_checkstack(L, Int32(clamping: values.count)) != 0 else {
                    throw LuaError(.conversion, "too many results (\(values.count))")
                }
                for value in values { try stack.push(value) }
                return Int32(values.count)
            }
        } catch let error as LuaArgumentError {
            return raise(L, message: error.description)
        } catch let error as LuaRaisable {
            let value = error.luaErrorValue()
            if case .string(let s) = value { return raise(L, message: s.bytes) }
            do {
                try stack.push(value)
                return Int32(NS_RAISE)
            } catch {
                return raise(L, message: error.message)
            }
        } catch let error as LuaError {
            // An error from Lua code the host function called: pass the script's own value on.
            if let value = error.value, (try? stack.push(value)) != nil { return Int32(NS_RAISE) }
            lua_pushstring(L, error.message)
            return Int32(NS_RAISE)
        } catch {
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
