import LuaHost
import PanelAPI

/// Converting between JSON and Lua values, for `json.*`, panel answers and `resellers.list`.
package enum LuaJSON {
    /// The key that marks a table as `json.null`. The prelude swaps every marked table for
    /// the one `json.null` value, so scripts can compare `v == json.null`.
    package static let nullMark = "\u{0}json.null"
    package static var nullMarker: LuaValue { .table(LuaTable(fields: [.string(LuaString(nullMark)): .boolean(true)])) }

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// JSON to Lua: objects become tables with string keys, arrays sequences, null the marker.
    package static func lua(_ value: JSONValue) -> LuaValue {
        switch value {
        case .null: nullMarker
        case .bool(let flag): .boolean(flag)
        case .int(let n): .integer(Int64(n))
        case .double(let d): .number(d)
        case .string(let s): .string(LuaString(s))
        case .array(let items): .table(LuaTable(array: items.map(lua)))
        case .object(let object):
            .table(LuaTable(fields: Dictionary(object.members.map { (.string(LuaString($0.key)), lua($0.value)) }) { $1 }))
        }
    }

    /// Lua to JSON. A table whose keys are exactly 1...n is an array; any other table an
    /// object (keys as strings, sorted, so output is stable); an empty table is `{}`.
    package static func json(_ value: LuaValue, depth: Int = 0) throws(Failure) -> JSONValue {
        guard depth < 64 else { throw Failure(description: "nesting deeper than 64 levels") }
        switch value {
        case .nil: return .null
        case .boolean(let flag): return .bool(flag)
        case .integer(let n): return .int(Int(n))
        case .number(let d):
            guard d.isFinite else { throw Failure(description: "cannot encode \(LuaValue.format(d)) (JSON has no NaN or infinity)") }
            return .double(d)
        case .string(let s):
            guard let text = s.string else { throw Failure(description: "cannot encode a string that is not valid UTF-8") }
            return .string(text)
        case .function: throw Failure(description: "cannot encode a function")
        case .table(let table):
            if table.fields[.string(LuaString(nullMark))] != nil { return .null }
            if table.fields.isEmpty, !table.array.isEmpty {
                var items: [JSONValue] = []
                for item in table.array { items.append(try json(item, depth: depth + 1)) }
                return .array(items)
            }
            var members: [(String, JSONValue)] = []
            for (index, item) in table.array.enumerated() { members.append((String(index + 1), try json(item, depth: depth + 1))) }
            for (key, item) in table.fields {
                let name: String
                switch key {
                case .string(let s): name = s.description
                case .integer(let n): name = String(n)
                case .number(let d): name = LuaValue.format(d)
                case .boolean(let b): name = b ? "true" : "false"
                default: throw Failure(description: "cannot encode a table key of type \(key.typeName)")
                }
                members.append((name, try json(item, depth: depth + 1)))
            }
            members.sort { $0.0 < $1.0 }
            return .object(JSONObject(members))
        }
    }

    /// A reseller row for scripts: the typed fields as Lua integers and booleans (even when
    /// the panel sent strings), every other field as the panel sent it; JSON nulls dropped.
    package static func reseller(_ row: JSONObject) -> LuaValue {
        var table = LuaTable()
        for (key, value) in row.members {
            switch key {
            case "id", "credits", "max_allowed_connections", "status":
                if let n = value.looseInt {
                    table[key] = .integer(Int64(n))
                } else if let d = value.looseDouble {
                    table[key] = .number(d)
                } else if case .null = value {
                    continue
                } else {
                    table[key] = lua(value)
                }
            case "use_credits":
                if let flag = value.looseBool { table[key] = .boolean(flag) }
            default:
                if case .null = value { continue }
                table[key] = lua(value)
            }
        }
        return .table(table)
    }
}
