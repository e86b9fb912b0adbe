import LuaHost
import PanelAPI

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

/// A test-only endpoint group, added the way any group is: one declaration of its
/// functions and their host code. `demo.echo` reads; `demo.give` adds credits through the
/// panel's add_credits endpoint, so grants, caps, audit and dry-run apply to it.
enum DemoGroup {
    static let group = APIGroup(
        "demo", summary: "A test-only group.",
        entries: [
            APIEntry(
                "demo.echo", .read, arguments: [.init("text", "string")], returns: "string",
                summary: "Returns its argument."
            ) { call in
                .now(.success(.string(LuaString(try call.args.string(1)))))
            },
            APIEntry(
                "demo.give", .write(credits: .adds), arguments: [.init("id", "integer"), .init("credits", "integer")],
                returns: "true", summary: "Gives a reseller credits."
            ) { call in
                let id = Int(try call.args.integer(1))
                let credits = Int(try call.args.integer(2))
                let write = Write(
                    function: APIFunction(rawValue: "demo.give"), request: .resellersAddCredits(.id(id), credits),
                    target: WriteTarget(param: "id", value: String(id)), targetLabel: "id \(id)",
                    credits: CreditEffect(change: credits, account: "id:\(id)"), location: call.location)
                return call.panel.perform(write, observer: PlainWrites.shared).map { _ in .boolean(true) }
            },
        ])

    static let catalogue = APICatalogue.standard.adding(group)
}
