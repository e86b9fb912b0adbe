import CLua
import CLuaShim

extension LuaStack {
    /// Reads the value at `index` for display (raw access, bounded, cycles marked).
    func snapshot(at index: Int32, depth: Int, width: Int) -> LuaSnapshot {
        var path: [UnsafeRawPointer] = []
        return snapshot(at: lua_absindex(L, index), depth: depth, width: width, path: &path)
    }

    private func identity(at index: Int32) -> UInt {
        UInt(bitPattern: lua_topointer(L, index))
    }

    private func snapshot(at index: Int32, depth: Int, width: Int, path: inout [UnsafeRawPointer]) -> LuaSnapshot {
        switch lua_type(L, index) {
        case LUA_TTABLE:
            let pointer = lua_topointer(L, index)!
            let id = UInt(bitPattern: pointer)
            if path.contains(pointer) { return .cycle(id: id) }
            guard depth > 0, lua_checkstack(L, 4) != 0 else { return .elided(id: id) }
            path.append(pointer)
            defer { path.removeLast() }
            var entries: [LuaSnapshot.Entry] = []
            var omitted = 0
            lua_pushnil(L)
            while lua_next(L, index) != 0 {
                if entries.count < width {
                    let top = lua_gettop(L)
                    let key = snapshot(at: top - 1, depth: depth - 1, width: width, path: &path)
                    let value = snapshot(at: top, depth: depth - 1, width: width, path: &path)
                    entries.append(.init(key: key, value: value))
                } else {
                    omitted += 1
                }
                lua_settop(L, -2)
            }
            return .table(id: id, entries: entries, omitted: omitted)
        case LUA_TNIL, LUA_TBOOLEAN, LUA_TNUMBER, LUA_TSTRING:
            return .scalar((try? read(at: index)) ?? .nil)
        default:
            let name = String(cString: lua_typename(L, lua_type(L, index)))
            return .opaque(type: name, id: identity(at: index))
        }
    }
}
