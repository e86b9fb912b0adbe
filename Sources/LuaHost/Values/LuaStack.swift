import CLua
import CLuaShim

/// Moves values between Lua's stack (of one thread) and `LuaValue`, with raw access only.
///
/// Used while host code runs, so it calls nothing that can raise a Lua error: no
/// metamethods, no `nil` or NaN table keys, stack space checked before every push.
struct LuaStack {
    let L: OpaquePointer
    let vm: LuaVM

    // MARK: Swift to Lua

    func push(_ value: LuaValue) throws(LuaError) {
        let top = lua_gettop(L)
        do {
            try push(value, depth: 0)
        } catch {
            lua_settop(L, top)
            throw error
        }
    }

    private func push(_ value: LuaValue, depth: Int) throws(LuaError) {
        guard lua_checkstack(L, 3) != 0 else { throw LuaError(.conversion, "Lua stack overflow while converting a value") }
        switch value {
        case .nil:
            lua_pushnil(L)
        case .boolean(let b):
            lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i):
            lua_pushinteger(L, i)
        case .number(let d):
            lua_pushnumber(L, d)
        case .string(let s):
            pushBytes(s.bytes)
        case .function(let f):
            guard f.vmID == vm.id else { throw LuaError(.conversion, "a function from another Lua VM cannot be used here") }
            lua_rawgeti(L, ns_registryindex(), lua_Integer(f.ref))
        case .table(let t):
            guard depth < vm.limits.conversionDepth else {
                throw LuaError(.conversion, "table nested deeper than \(vm.limits.conversionDepth) levels")
            }
            lua_createtable(L, Int32(clamping: t.array.count), Int32(clamping: t.fields.count))
            for (i, element) in t.array.enumerated() {
                try push(element, depth: depth + 1)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
            for (key, element) in t.fields {
                switch key {
                case .nil: throw LuaError(.conversion, "table key is nil")
                case .number(let d) where d.isNaN: throw LuaError(.conversion, "table key is NaN")
                default: break
                }
                try push(key, depth: depth + 1)
                try push(element, depth: depth + 1)
                lua_rawset(L, -3)
            }
        }
    }

    func pushBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
        }
    }

    // MARK: Lua to Swift

    /// Converts the value at `index`; tables are copied with depth, size and cycle checks.
    func read(at index: Int32) throws(LuaError) -> LuaValue {
        let top = lua_gettop(L)
        var budget = vm.limits.conversionEntries
        var path: [UnsafeRawPointer] = []
        do {
            return try read(at: lua_absindex(L, index), depth: 0, budget: &budget, path: &path)
        } catch {
            lua_settop(L, top)
            throw error
        }
    }

    private func read(
        at index: Int32, depth: Int, budget: inout Int, path: inout [UnsafeRawPointer]
    ) throws(LuaError) -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE:
            return .nil
        case LUA_TBOOLEAN:
            return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(ns_tointeger(L, index, nil)) }
            return .number(ns_tonumber(L, index, nil))
        case LUA_TSTRING:
            return .string(LuaString(bytes: bytes(at: index)))
        case LUA_TFUNCTION:
            lua_pushvalue(L, index)
            return .function(LuaFunctionRef(vmID: vm.id, ref: luaL_ref(L, ns_registryindex())))
        case LUA_TTABLE:
            return try readTable(at: index, depth: depth, budget: &budget, path: &path)
        default:
            let name = String(cString: lua_typename(L, lua_type(L, index)))
            throw LuaError(.conversion, "cannot convert a \(name) value")
        }
    }

    func bytes(at index: Int32) -> [UInt8] {
        var length = 0
        guard let p = ns_tolstring(L, index, &length) else { return [] }
        return p.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    private func readTable(
        at index: Int32, depth: Int, budget: inout Int, path: inout [UnsafeRawPointer]
    ) throws(LuaError) -> LuaValue {
        let identity = lua_topointer(L, index)!
        if path.contains(identity) { throw LuaError(.conversion, "table contains a cycle") }
        guard depth < vm.limits.conversionDepth else {
            throw LuaError(.conversion, "table nested deeper than \(vm.limits.conversionDepth) levels")
        }
        guard lua_checkstack(L, 4) != 0 else { throw LuaError(.conversion, "Lua stack overflow while converting a table") }
        path.append(identity)
        defer { path.removeLast() }

        // The sequence part: 1...n up to the first hole.
        let border = Int(lua_rawlen(L, index))
        var array: [LuaValue] = []
        if border > 0 {
            guard border <= budget else { throw tooLarge() }
            array.reserveCapacity(border)
            for i in 1...border {
                if lua_rawgeti(L, index, lua_Integer(i)) == LUA_TNIL {
                    lua_settop(L, -2)
                    break
                }
                array.append(try read(at: lua_gettop(L), depth: depth + 1, budget: &budget, path: &path))
                lua_settop(L, -2)
            }
            budget -= array.count
        }
        let sequenceEnd = Int64(array.count)

        var fields: [LuaValue: LuaValue] = [:]
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            if lua_isinteger(L, -2) != 0 {
                let k = ns_tointeger(L, -2, nil)
                if k >= 1, k <= sequenceEnd {
                    lua_settop(L, -2)
                    continue
                }
            }
            budget -= 1
            guard budget >= 0 else { throw tooLarge() }
            let top = lua_gettop(L)
            let key = try read(at: top - 1, depth: depth + 1, budget: &budget, path: &path)
            let value = try read(at: top, depth: depth + 1, budget: &budget, path: &path)
            fields[key] = value
            lua_settop(L, -2)
        }
        return .table(LuaTable(array: array, fields: fields))
    }

    private func tooLarge() -> LuaError {
        LuaError(.conversion, "table has more than \(vm.limits.conversionEntries) entries")
    }
}
