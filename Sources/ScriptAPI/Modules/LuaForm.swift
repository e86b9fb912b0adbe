import LuaHost
import PanelAPI

/// Converting Lua values to request parameters (PHP arrays) for `resellers.update` and
/// `panel.call`.
package enum LuaForm {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// Lua to a form value: sequences become lists, other tables maps (keys sorted, so the
    /// request is the same on every run); `json.null` and nil are left out.
    package static func form(_ value: LuaValue, depth: Int = 0) throws(Failure) -> FormValue {
        guard depth < 32 else { throw Failure(description: "nesting deeper than 32 levels") }
        switch value {
        case .nil: return .null
        case .boolean(let flag): return .bool(flag)
        case .integer(let n): return .int(Int(n))
        case .number(let d):
            guard d.isFinite else { throw Failure(description: "\(LuaValue.format(d)) cannot be sent") }
            return .double(d)
        case .string(let s):
            guard let text = s.string else { throw Failure(description: "a string that is not valid UTF-8 cannot be sent") }
            return .string(text)
        case .function: throw Failure(description: "a function cannot be sent")
        case .table(let table):
            if table.fields[.string(LuaString(LuaJSON.nullMark))] != nil { return .null }
            if table.fields.isEmpty {
                var items: [FormValue] = []
                for item in table.array { items.append(try form(item, depth: depth + 1)) }
                return .list(items)
            }
            return .map(try map(table, depth: depth + 1))
        }
    }

    /// A table's entries as an ordered map (sequence first, then keys sorted).
    package static func map(_ table: LuaTable, depth: Int = 0, skipping: Set<String> = []) throws(Failure) -> FormMap {
        var entries: [(String, FormValue)] = []
        for (index, item) in table.array.enumerated() { entries.append((String(index + 1), try form(item, depth: depth))) }
        var named: [(String, FormValue)] = []
        for (key, item) in table.fields {
            let name: String
            switch key {
            case .string(let s):
                guard let text = s.string else { throw Failure(description: "a key that is not valid UTF-8 cannot be sent") }
                name = text
            case .integer(let n): name = String(n)
            default: throw Failure(description: "a \(key.typeName) key cannot be sent")
            }
            if skipping.contains(name) { continue }
            named.append((name, try form(item, depth: depth)))
        }
        named.sort { $0.0 < $1.0 }
        return FormMap(entries + named)
    }
}
