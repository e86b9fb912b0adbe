import CLua
import CLuaShim

extension LuaVM {
    /// Runs `body` in host mode with the globals table pushed (at index -1) and the stack
    /// restored afterwards: the shared frame of every global read and write below.
    private func withGlobals<T>(slots: Int32 = 4, _ body: (OpaquePointer) throws(LuaError) -> T) throws(LuaError) -> T {
        let L = current
        ns_enter_host(control.pointer)
        defer { ns_leave_host(control.pointer) }
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        guard lua_checkstack(L, slots) != 0 else { throw LuaError(.memory, "Lua stack overflow") }
        lua_rawgeti(L, ns_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        return try body(L)
    }

    /// Sets a global in the script's environment (raw: a script's `_G` metatable is ignored).
    public func setGlobal(_ name: String, _ value: LuaValue) throws(LuaError) {
        try withGlobals { L throws(LuaError) in
            lua_pushstring(L, name)
            try LuaStack(L: L, vm: self).push(value)
            lua_rawset(L, -3)
        }
    }

    /// Reads a global from the script's environment (raw).
    public func global(_ name: String) throws(LuaError) -> LuaValue {
        try withGlobals { L throws(LuaError) in
            lua_pushstring(L, name)
            lua_rawget(L, -2)
            return try LuaStack(L: L, vm: self).read(at: -1)
        }
    }

    /// Exposes a host function as a global.
    public func register(_ function: LuaHostFunction, as name: String) {
        _ = try? withGlobals { L in
            lua_pushstring(L, name)
            pushHostFunction(function, on: L)
            lua_rawset(L, -3)
        }
    }

    /// Exposes a module: a global table of host functions and constants. A function named
    /// `module.field` is the table's `field`; any other name is its field as it is
    /// (`resellers.list` in a module `host` is `host["resellers.list"]`). Two functions or
    /// constants with one field are refused: neither would silently replace the other.
    public func register(_ module: LuaModule) throws(LuaError) {
        var fields = Set<String>()
        for name in module.functions.map({ $0.name.hasPrefix(module.name + ".") ? String($0.name.dropFirst(module.name.count + 1)) : $0.name })
            + module.constants.keys
        where !fields.insert(name).inserted {
            throw LuaError(.conversion, "module \(module.name): two entries named '\(name)'")
        }
        try withGlobals { L throws(LuaError) in
            lua_pushstring(L, module.name)
            lua_createtable(L, 0, Int32(clamping: module.functions.count + module.constants.count))
            for function in module.functions {
                let prefix = module.name + "."
                let field = function.name.hasPrefix(prefix) ? String(function.name.dropFirst(prefix.count)) : function.name
                lua_pushstring(L, field)
                pushHostFunction(function, on: L)
                lua_rawset(L, -3)
            }
            for (field, value) in module.constants {
                lua_pushstring(L, field)
                try LuaStack(L: L, vm: self).push(value)
                lua_rawset(L, -3)
            }
            lua_rawset(L, -3)
        }
    }

    /// Exposes a C function as a global: for comparing host functions with plain C ones.
    @_spi(Benchmarks)
    public func register(cFunction: @convention(c) (OpaquePointer?) -> Int32, as name: String) {
        _ = try? withGlobals { L in
            lua_pushstring(L, name)
            lua_pushcclosure(L, cFunction, 0)
            lua_rawset(L, -3)
        }
    }

    /// The string keys of the table reached from the globals by `path` (raw lookups, so no
    /// script code runs), sorted; empty when the path does not lead to a table.
    /// `fieldNames(at: [])` lists the globals; `fieldNames(at: ["string"])` the string library.
    public func fieldNames(at path: [String]) -> [String] {
        (try? withGlobals { L in
            for name in path {
                guard lua_type(L, -1) == LUA_TTABLE else { return [] }
                lua_pushstring(L, name)
                lua_rawget(L, -2)
                lua_rotate(L, -2, -1)
                lua_settop(L, -2)
            }
            guard lua_type(L, -1) == LUA_TTABLE else { return [] }
            var names: [String] = []
            let stack = LuaStack(L: L, vm: self)
            lua_pushnil(L)
            while lua_next(L, -2) != 0 {
                if lua_type(L, -2) == LUA_TSTRING, let name = String(validating: stack.bytes(at: -2), as: UTF8.self) {
                    names.append(name)
                }
                lua_settop(L, -2)
            }
            return names.sorted()
        }) ?? []
    }
}
