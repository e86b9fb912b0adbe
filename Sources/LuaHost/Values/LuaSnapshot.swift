/// A Lua value read for display: any value, including cycles, threads and userdata, bounded
/// in depth and width. Made by `LuaVM.callForDisplay`; used by REPLs and debuggers.
public indirect enum LuaSnapshot: Sendable, Equatable {
    /// nil, booleans, numbers and strings.
    case scalar(LuaValue)
    /// A table: entries in Lua's traversal order, and how many more were left out.
    case table(id: UInt, entries: [Entry], omitted: Int)
    /// A table already being shown further up: a cycle.
    case cycle(id: UInt)
    /// A table below the depth bound.
    case elided(id: UInt)
    /// A function, thread or userdata, shown by type and identity.
    case opaque(type: String, id: UInt)

    /// One key and value of a table.
    public struct Entry: Sendable, Equatable {
        public var key: LuaSnapshot
        public var value: LuaSnapshot

        public init(key: LuaSnapshot, value: LuaSnapshot) {
            self.key = key
            self.value = value
        }
    }
}
