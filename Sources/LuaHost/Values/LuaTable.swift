/// A Lua table on the Swift side: a sequence part (keys 1...n) and the other keys.
///
/// Conversion from Lua puts keys 1...n in `array` when they form a sequence; every other key
/// (string, float, boolean, integer outside the sequence) is in `fields`. Converted tables
/// are plain values: changing one does not change the table in the VM.
public struct LuaTable: Sendable, Hashable {
    /// Values at keys 1...array.count, in order. `nil` elements are not allowed here.
    public var array: [LuaValue]
    /// Every other key. Keys are never `nil` or NaN.
    public var fields: [LuaValue: LuaValue]

    /// Makes a table from a sequence part and other fields.
    public init(array: [LuaValue] = [], fields: [LuaValue: LuaValue] = [:]) {
        self.array = array
        self.fields = fields
    }

    /// The number of entries, sequence and fields together.
    public var count: Int { array.count + fields.count }

    /// Reads or writes a string key; assigning `.nil` removes the key.
    public subscript(key: String) -> LuaValue {
        get { fields[.string(LuaString(key))] ?? .nil }
        set {
            if case .nil = newValue {
                fields[.string(LuaString(key))] = nil
            } else {
                fields[.string(LuaString(key))] = newValue
            }
        }
    }

    /// Reads any key the way `rawget` would, looking in the sequence part first.
    public subscript(key: LuaValue) -> LuaValue {
        if let i = key.integerValue, i >= 1, i <= array.count {
            return array[Int(i - 1)]
        }
        if case .number(let d) = key, let i = Int64(exactly: d) {
            return fields[.integer(i)] ?? .nil
        }
        return fields[key] ?? .nil
    }
}
