import Foundation
import LuaHost
import PanelAPI
import NightshiftConfig

/// The endpoints an operator declares in nightshift.toml (`[[endpoints]]`), as catalogue
/// groups: `lines.extend{id = 42, credits = 1}` calls `api/line/edit`. Each function takes one
/// table of form parameters and returns the panel's answer as a table. Its grant, the
/// required parameters, the dry-run plan of a write, the credit caps and the audit row all
/// come from the declaration, through the run's one read path and one write path.
public enum DeclaredEndpoints {
    /// The groups of `declarations`, one per Lua group, in the order first declared.
    public static func groups(_ declarations: [EndpointDeclaration]) -> [APIGroup] {
        var order: [Substring] = []
        var byGroup: [Substring: [APIEntry]] = [:]
        for declaration in declarations {
            let group = declaration.luaGroup
            if byGroup[group] == nil { order.append(group) }
            byGroup[group, default: []].append(entry(declaration))
        }
        return order.map { APIGroup(String($0), summary: "Declared in nightshift.toml.", entries: byGroup[$0]!) }
    }

    /// The standard catalogue with `declarations` added.
    public static func catalogue(_ declarations: [EndpointDeclaration]) -> APICatalogue {
        declarations.isEmpty ? .standard : APICatalogue(groups: APICatalogue.standard.groups + groups(declarations))
    }

    /// The function of one declaration.
    package static func entry(_ declaration: EndpointDeclaration) -> APIEntry {
        let fields = declaration.required.map { "---@field \($0) any required" }.joined(separator: "\n")
        let typeName = "nightshift.params." + declaration.name.replacingOccurrences(of: ".", with: "_")
        let types = "---Parameters of \(declaration.name) (\(declaration.path)).\n---@class \(typeName)\n"
            + (fields.isEmpty ? "" : fields + "\n") + "---@field [string] any"
        return APIEntry(
            declaration, arguments: [.init("params", typeName, optional: declaration.required.isEmpty)], returns: "table",
            types: types
        ) { call in try DeclaredEndpoints.call(declaration, call) }
    }

    package static func call(_ declaration: EndpointDeclaration, _ call: APIEntry.Call) throws -> CallStep<LuaValue> {
        let args = call.args
        let name = args.functionName
        try args.expectAtMost(1)
        var params = FormMap()
        if !args.isNil(1) {
            do {
                params = try LuaForm.map(try args.table(1))
            } catch let error as LuaForm.Failure {
                throw BadArgument(1, name, error.description)
            }
        } else if !declaration.required.isEmpty {
            throw BadArgument(1, name, "table of parameters expected, got no value")
        }
        for key in declaration.required where params[key] == nil || params[key] == .null {
            throw BadArgument(1, name, "field '\(key)' is required (\(declaration.name) declares it in nightshift.toml)")
        }
        let request: PanelRequest
        do {
            request = try PanelRequest(
                group: declaration.group, action: declaration.action, params: params,
                kind: declaration.kind == .read ? .read : .mutation)
        } catch {
            throw BadArgument(1, name, "\(error)")
        }
        let function = APIFunction(rawValue: declaration.name)
        guard declaration.kind == .write else {
            return call.panel.read(Read(function: function, request: request)).map { LuaJSON.lua($0.body) }
        }
        let target = declaration.target.flatMap { key in params[key].flatMap(Self.text).map { WriteTarget(param: key, value: $0) } }
        var credits = CreditEffect.none
        if let move = declaration.credits {
            let amount: Int
            switch params[move.param] {
            case .int(let n)?: amount = n
            case .double(let d)? where Int(exactly: d) != nil: amount = Int(exactly: d)!
            case .string(let s)? where Int(s) != nil: amount = Int(s)!
            default:
                throw BadArgument(1, name, "field '\(move.param)' must be a whole number of credits")
            }
            let (change, overflow) = amount.multipliedReportingOverflow(by: move.sign)
            guard !overflow else { throw BadArgument(1, name, "field '\(move.param)' is too large") }
            credits = CreditEffect(change: change, account: "\(declaration.name):\(target?.value ?? "")")
        }
        let write = Write(
            function: function, request: request, target: target, targetLabel: target?.description ?? declaration.path,
            credits: credits, location: call.location)
        return call.panel.perform(write, observer: PlainWrites.shared).map { LuaJSON.lua($0.body) }
    }

    /// A scalar form value as text (a target's value); nil for lists and maps.
    package static func text(_ value: FormValue) -> String? {
        switch value {
        case .int(let n): String(n)
        case .string(let s): s
        case .double(let d): Int(exactly: d).map(String.init) ?? String(d)
        case .bool(let flag): flag ? "1" : "0"
        case .null, .list, .map: nil
        }
    }
}
