import LuaHost
import NightshiftConfig

/// `resellers.*`: the panel's reseller API (MidnightStreamer Pro Server API), declared as an
/// operator declares an endpoint in nightshift.toml, plus its Lua arguments (ids or
/// usernames, positional or in a table) and its host code (``ResellerCalls``), which keeps
/// the run's view of the resellers (``ResellerState``).
package enum ResellersGroup {
    package static let list = EndpointDeclaration(
        name: "resellers.list", group: "resellers", action: "list", kind: .read,
        doc: "Every reseller, with this run's planned writes applied in dry-run.")
    package static let new = EndpointDeclaration(
        name: "resellers.new", group: "resellers", action: "new", kind: .write,
        credits: .init(param: "data[credits]", sign: 1, measure: .starts), required: ["data[name]"],
        doc: "Creates a reseller; returns its id. Credits given count against the run's caps.")
    package static let update = EndpointDeclaration(
        name: "resellers.update", group: "resellers", action: "update", kind: .write, target: "id",
        credits: .init(param: "data[credits]", sign: 1, measure: .sets), required: ["id"],
        doc: "Changes a reseller's fields: `update(id_or_username, fields)` or `update{id=..., <fields>}`.")
    package static let addCredits = EndpointDeclaration(
        name: "resellers.add_credits", group: "resellers", action: "add_credits", kind: .write, target: "id",
        credits: .init(param: "credits", sign: 1), required: ["id", "credits"],
        doc: "Adds credits (negative takes them): `add_credits(id_or_username, n)` or `add_credits{id=..., credits=n}`.")

    package static let group = APIGroup(
        "resellers", summary: "The panel's resellers (MidnightStreamer Pro Server API).",
        entries: [
            APIEntry(list, arguments: [], returns: "nightshift.Reseller[]", types: resellerType) { call in
                ResellerCalls.list(call)
            },
            APIEntry(new, arguments: [.init("reseller", "nightshift.NewReseller")], returns: "integer", types: newResellerType) {
                call in try ResellerCalls.new(call)
            },
            APIEntry(
                update,
                arguments: [
                    .init("target", "integer|string|nightshift.UpdateByTable"), .init("fields", "table<string, any>", optional: true),
                ], returns: "true", types: updateType
            ) { call in try ResellerCalls.update(call) },
            APIEntry(
                addCredits,
                arguments: [
                    .init("target", "integer|string|nightshift.AddCreditsByTable"), .init("credits", "integer", optional: true),
                ], returns: "true", types: addCreditsType
            ) { call in try ResellerCalls.addCredits(call) },
        ])

    package static let resellerType = """
        ---A reseller as `resellers.list()` returns it. Typed fields are numbers and booleans even
        ---when the panel sends strings; every other field the panel sends is kept as sent.
        ---@class nightshift.Reseller
        ---@field id integer
        ---@field username string
        ---@field credits integer
        ---@field max_allowed_connections integer
        ---@field use_credits boolean
        ---@field status integer 1 enabled, 0 disabled
        ---@field [string] any
        """

    static let newResellerType = """
        ---@class nightshift.NewReseller
        ---@field name string
        ---@field credits integer? whole, 0 or more
        ---@field use_credits boolean?
        ---@field max_allowed_connections integer?
        ---@field [string] any further data[...] fields
        """

    package static let updateType = """
        ---@class nightshift.UpdateByTable
        ---@field id integer?
        ---@field username string?
        ---@field credits integer? sets the credits; the change is measured against the panel's value
        ---@field max_allowed_connections integer?
        ---@field [string] any
        """

    static let addCreditsType = """
        ---@class nightshift.AddCreditsByTable
        ---@field id integer?
        ---@field username string?
        ---@field credits integer whole; negative takes credits
        """
}
