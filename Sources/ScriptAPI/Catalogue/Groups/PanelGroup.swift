import LuaHost
import PanelAPI

/// `panel.call`: any endpoint no group declares, for ad-hoc use. It needs its own grant
/// (`--allow panel.call`), every call is a write (audited, planned in a dry-run), and an
/// endpoint a group declares is refused: its function, grant and caps are the only way in.
package enum PanelGroup {
    package static let group = APIGroup(
        "panel", summary: "Endpoints without a group of their own.",
        entries: [
            APIEntry(
                "panel.call", .write(credits: .unknown),
                arguments: [.init("group", "string"), .init("action", "string"), .init("params", "table", optional: true)],
                returns: "table",
                summary: "Any endpoint no group declares: POST api/<group>/<action>. Treated as a write; needs `--allow panel.call`."
            ) { call in try PanelGroup.call(call) },
        ])

    package static func call(_ call: APIEntry.Call) throws -> CallStep<LuaValue> {
        let args = call.args
        let name = args.functionName
        try args.expectAtMost(3)
        let group = try args.string(1)
        let action = try args.string(2)
        if group == "resellers" {
            throw BadArgument(1, name, "use resellers.* for the resellers group, so its grant, caps and audit apply")
        }
        if let owner = call.panel.catalogue.entries.compactMap(\.endpoint).first(where: { $0.group == group && $0.action == action }) {
            throw BadArgument(
                1, name, "api/\(group)/\(action) is declared as \(owner.name); call \(owner.name), so its grant, caps and audit apply")
        }
        var params = FormMap()
        if !args.isNil(3) {
            do {
                params = try LuaForm.map(try args.table(3))
            } catch let error as LuaForm.Failure {
                throw BadArgument(3, name, error.description)
            }
        }
        let request: PanelRequest
        do {
            request = try PanelRequest(group: group, action: action, params: params, kind: .mutation)
        } catch {
            throw BadArgument(1, name, "group and action must be letters, digits and _")
        }
        let write = Write(
            function: .panelCall, request: request, target: nil, targetLabel: "api/\(group)/\(action)", location: call.location,
            endpoint: request.endpoint)
        return call.panel.perform(write, observer: PlainWrites.shared).map { LuaJSON.lua($0.body) }
    }
}
