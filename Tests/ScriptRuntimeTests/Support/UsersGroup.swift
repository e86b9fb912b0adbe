import LuaHost
import PanelAPI

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

/// A real endpoint group written as CONTRIBUTING.md says (one declaration of each endpoint,
/// its Lua arguments and its host code), against a panel's HTTP endpoints: `users.list()`
/// reads `api/user/list`; `users.extend(id, days)` writes `api/user/extend`, which costs
/// `days` credits. The test adds it to the standard catalogue; nothing else knows of it.
enum UsersGroup {
    static let list = EndpointDeclaration(
        name: "users.list", group: "user", action: "list", kind: .read, doc: "Every user line.")
    static let extend = EndpointDeclaration(
        name: "users.extend", group: "user", action: "extend", kind: .write, target: "id",
        credits: .init(param: "days", sign: -1), required: ["id", "days"], doc: "Extends a user line by whole days; each day costs a credit.")

    static let group = APIGroup(
        "users", summary: "The panel's user lines.",
        entries: [
            APIEntry(list, arguments: [], returns: "table") { call in
                let request = try PanelRequest(group: "user", action: "list", kind: .read)
                return call.panel.read(Read(function: APIFunction(rawValue: list.name), request: request)).map { LuaJSON.lua($0.body) }
            },
            APIEntry(extend, arguments: [.init("id", "integer"), .init("days", "integer")], returns: "true") { call in
                try call.args.expectAtMost(2)
                let id = Int(try call.args.integer(1))
                let days = Int(try call.args.integer(2))
                guard days > 0 else { throw call.args.error(2, "days must be 1 or more") }
                let request = try PanelRequest(group: "user", action: "extend", params: ["id": .int(id), "days": .int(days)], kind: .mutation)
                let write = Write(
                    function: APIFunction(rawValue: extend.name), request: request,
                    target: WriteTarget(param: "id", value: String(id)), targetLabel: "user \(id)",
                    credits: CreditEffect(change: -days, account: "users.extend:\(id)"), location: call.location)
                return call.panel.perform(write, observer: PlainWrites.shared).map { _ in .boolean(true) }
            },
        ])
}
