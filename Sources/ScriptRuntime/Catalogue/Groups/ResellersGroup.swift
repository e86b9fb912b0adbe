import LuaHost

/// `resellers.*`: the panel's reseller API (MidnightStreamer Pro Server API). The host code
/// is in ``ResellersModule``.
enum ResellersGroup {
    static let group = APIGroup(
        "resellers", summary: "The panel's resellers (MidnightStreamer Pro Server API).",
        entries: [
            APIEntry(
                "resellers.list", .read, arguments: [], returns: "nightshift.Reseller[]",
                summary: "Every reseller, with this run's planned writes applied in dry-run.", types: resellerType
            ) { call in
                call.panel.list().map { rows in .table(LuaTable(array: rows.map(LuaJSON.reseller))) }
            },
            APIEntry(
                "resellers.new", .write(credits: .starts),
                arguments: [.init("reseller", "nightshift.NewReseller")], returns: "integer",
                summary: "Creates a reseller; returns its id. Credits given count against the run's caps.",
                types: newResellerType
            ) { call in try ResellersModule.new(call.args, call.panel) },
            APIEntry(
                "resellers.update", .write(credits: .sets),
                arguments: [
                    .init("target", "integer|string|nightshift.UpdateByTable"), .init("fields", "table<string, any>", optional: true),
                ], returns: "true",
                summary: "Changes a reseller's fields: `update(id_or_username, fields)` or `update{id=..., <fields>}`.",
                types: updateType
            ) { call in try ResellersModule.update(call.args, call.panel) },
            APIEntry(
                "resellers.add_credits", .write(credits: .adds),
                arguments: [
                    .init("target", "integer|string|nightshift.AddCreditsByTable"), .init("credits", "integer", optional: true),
                ], returns: "true",
                summary: "Adds credits (negative takes them): `add_credits(id_or_username, n)` or `add_credits{id=..., credits=n}`.",
                types: addCreditsType
            ) { call in try ResellersModule.addCredits(call.args, call.panel) },
        ])

    static let resellerType = """
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

    static let updateType = """
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

/// `panel.call`: any endpoint outside the groups above.
enum PanelGroup {
    static let group = APIGroup(
        "panel", summary: "Endpoints without a group of their own.",
        entries: [
            APIEntry(
                "panel.call", .write(credits: .unknown),
                arguments: [.init("group", "string"), .init("action", "string"), .init("params", "table", optional: true)],
                returns: "table",
                summary: "Any other endpoint (not the resellers group): POST api/<group>/<action>. Treated as a write."
            ) { call in try ResellersModule.call(call.args, call.panel) },
        ])
}
