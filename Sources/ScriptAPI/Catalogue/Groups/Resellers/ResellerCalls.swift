import LuaHost
import PanelAPI

/// The host code of `resellers.*` (declared in ``ResellersGroup``): reads the script's
/// arguments, builds the ``Write`` and hands it to the run's panel, with the run's
/// ``ResellerState`` (the dry-run's view of the resellers) as its observer.
///
/// Argument errors are thrown as Lua-worded messages; API failures come back in the call's
/// step, and the prelude's wrapper raises either at the script's line.
package enum ResellerCalls {
    // MARK: resellers.list

    package static func list(_ call: APIEntry.Call) -> CallStep<LuaValue> {
        let state = ResellerState.of(call.panel)
        return call.panel.read(Read(function: .resellersList, request: .resellersList())).then { reply in
            state.take(reply).map { .table(LuaTable(array: state.view.rows.map(LuaJSON.reseller))) }
        }
    }

    // MARK: resellers.new

    package static func new(_ call: APIEntry.Call) throws -> CallStep<LuaValue> {
        let args = call.args
        let name = args.functionName
        try args.expectAtMost(1)
        let table = try args.table(1)
        guard case .string(let rawName) = table["name"], let userName = rawName.string, !userName.isEmpty else {
            throw BadArgument(1, name, "field 'name' must be a non-empty string, got \(table["name"].typeName)")
        }
        let credits = try optionalWhole(table["credits"], field: "credits", function: name, minimum: 0)
        let connections = try optionalWhole(
            table["max_allowed_connections"], field: "max_allowed_connections", function: name, minimum: 0)
        var useCredits: Bool?
        switch table["use_credits"] {
        case .nil: break
        case .boolean(let flag): useCredits = flag
        case let other: throw BadArgument(1, name, "field 'use_credits' must be a boolean, got \(other.typeName)")
        }
        let extra: FormMap
        do {
            extra = try LuaForm.map(table, skipping: ["name", "credits", "max_allowed_connections", "use_credits"])
        } catch {
            throw BadArgument(1, name, error.description)
        }
        let reseller = NewReseller(
            name: userName, maxAllowedConnections: connections, useCredits: useCredits, credits: credits, extra: extra)
        let state = ResellerState.of(call.panel)
        let draft = Write(
            function: .resellersNew, request: .resellersNew(reseller), target: nil, targetLabel: "new \"\(userName)\"",
            location: call.location)
        return state.perform(draft) { write, view in
            write.credits = CreditEffect(change: credits ?? 0, after: credits ?? 0, account: "new:" + userName)
            write.preconditions = [
                Precondition(source: .resellersList, record: WriteTarget(param: "username", value: userName), expectation: .absent)
            ]
            return nil
        }.map { reply in reply.createdID.map { .integer(Int64($0)) } ?? .boolean(true) }
    }

    // MARK: resellers.update

    package static func update(_ call: APIEntry.Call) throws -> CallStep<LuaValue> {
        let args = call.args
        let name = args.functionName
        let target: ResellerRef
        let fieldsTable: LuaTable
        var fieldsPosition = 2
        if args.count == 1, args.isTable(1) {
            let table = try args.table(1)
            target = try targetField(table, function: name)
            var rest = table
            rest["id"] = .nil
            rest["username"] = .nil
            fieldsTable = rest
            fieldsPosition = 1
        } else {
            try args.expectAtMost(2)
            target = try targetArgument(args, 1)
            fieldsTable = try args.table(2)
        }
        let fields: FormMap
        do {
            fields = try LuaForm.map(fieldsTable)
        } catch {
            throw BadArgument(fieldsPosition, name, error.description)
        }
        guard !fields.isEmpty else { throw BadArgument(fieldsPosition, name, "no fields to change") }
        var newCredits: Int?
        if fieldsTable["credits"] != .nil {
            newCredits = try optionalWhole(fieldsTable["credits"], field: "credits", function: name, minimum: 0, position: fieldsPosition)!
        }
        for key in ["max_allowed_connections", "status"] where fieldsTable[key] != .nil {
            _ = try optionalWhole(fieldsTable[key], field: key, function: name, minimum: 0, position: fieldsPosition)
        }
        let state = ResellerState.of(call.panel)
        let draft = Write(
            function: .resellersUpdate, request: .resellersUpdate(target, fields: fields), target: target.writeTarget,
            targetLabel: target.description,
            fieldChanges: fields.entries.filter { $0.key != "credits" }.map { "\($0.key) = \(describe($0.value))" },
            location: call.location)
        // Setting credits is measured against the panel's balance: read it first.
        return state.perform(draft, measures: newCredits != nil) { write, view in
            if let row = view.row(target) {
                write.fieldChanges = fields.entries.filter { $0.key != "credits" }.map { entry in
                    "\(entry.key) \(row[entry.key].map(describe) ?? "?") -> \(describe(entry.value))"
                }
            }
            guard let newCredits else {
                write.credits = CreditEffect(change: 0, account: view.account(target))
                write.preconditions = view.exists(target)
                return nil
            }
            guard let current = view.credits(of: target) else {
                return ScriptFailure(
                    .panel(.refused), endpoint: write.endpoint,
                    detail: "NOT EXISTS (\(write.targetLabel) is not in the panel's list, so the credit change cannot be measured); nothing was sent",
                    panelMessage: "NOT EXISTS")
            }
            write.credits = CreditEffect(change: newCredits - current, before: current, after: newCredits, account: view.account(target))
            write.preconditions = view.exists(target) + view.credits(target, equal: current)
            return nil
        }.map { _ in .boolean(true) }
    }

    // MARK: resellers.add_credits

    package static func addCredits(_ call: APIEntry.Call) throws -> CallStep<LuaValue> {
        let args = call.args
        let name = args.functionName
        let target: ResellerRef
        let amount: Int
        if args.count == 1, args.isTable(1) {
            let table = try args.table(1)
            target = try targetField(table, function: name)
            guard table["credits"] != .nil else { throw BadArgument(1, name, "field 'credits' expected") }
            amount = try optionalWhole(table["credits"], field: "credits", function: name, minimum: nil)!
        } else {
            try args.expectAtMost(2)
            target = try targetArgument(args, 1)
            guard !args.isNil(2) else { throw BadArgument(2, name, "number expected, got \(args.typeName(2))") }
            amount = try optionalWhole(try args.value(2), field: nil, function: name, minimum: nil, position: 2)!
        }
        let state = ResellerState.of(call.panel)
        let draft = Write(
            function: .resellersAddCredits, request: .resellersAddCredits(target, amount), target: target.writeTarget,
            targetLabel: target.description, location: call.location)
        return state.perform(draft) { write, view in
            let before = view.credits(of: target)
            write.credits = CreditEffect(change: amount, before: before, after: before.map { $0 + amount }, account: view.account(target))
            // The outcome is relative: it is the reviewed one only from the same balance.
            write.preconditions = view.exists(target) + (before.map { view.credits(target, equal: $0) } ?? [])
            return nil
        }.map { _ in .boolean(true) }
    }

    // MARK: Reading arguments

    package static func targetArgument(_ args: LuaArguments, _ i: Int) throws -> ResellerRef {
        switch try args.value(i) {
        case .integer(let id): return .id(Int(id))
        case .number(let d):
            guard let id = Int(exactly: d) else { throw BadArgument(i, args.functionName, "reseller id must be a whole number, got \(LuaValue.format(d))") }
            return .id(id)
        case .string(let s):
            guard let text = s.string, !text.isEmpty else { throw BadArgument(i, args.functionName, "username must be non-empty UTF-8 text") }
            return .username(text)
        case let other:
            throw BadArgument(i, args.functionName, "reseller id or username expected, got \(other.typeName)")
        }
    }

    package static func targetField(_ table: LuaTable, function: String) throws -> ResellerRef {
        switch (table["id"], table["username"]) {
        case (.integer(let id), .nil): return .id(Int(id))
        case (.number(let d), .nil):
            guard let id = Int(exactly: d) else { throw BadArgument(1, function, "field 'id' must be a whole number, got \(LuaValue.format(d))") }
            return .id(id)
        case (.nil, .string(let s)):
            guard let text = s.string, !text.isEmpty else { throw BadArgument(1, function, "field 'username' must be non-empty text") }
            return .username(text)
        case (.nil, .nil): throw BadArgument(1, function, "field 'id' or 'username' expected")
        case (.nil, let other): throw BadArgument(1, function, "field 'username' must be a string, got \(other.typeName)")
        case (let other, .nil): throw BadArgument(1, function, "field 'id' must be a number, got \(other.typeName)")
        default: throw BadArgument(1, function, "give 'id' or 'username', not both")
        }
    }

    /// A whole number of credits (or connections): integers, or floats with an exact integer
    /// value; fractions, NaN, infinities and (when `minimum` is set) smaller values refused.
    package static func optionalWhole(
        _ value: LuaValue, field: String?, function: String, minimum: Int?, position: Int = 1
    ) throws -> Int? {
        // Only a failure needs the label.
        var label: String { field.map { "field '\($0)'" } ?? "amount" }
        let n: Int
        switch value {
        case .nil: return nil
        case .integer(let i): n = Int(i)
        case .number(let d):
            guard d.isFinite else { throw BadArgument(position, function, "\(label) must be a finite whole number, got \(LuaValue.format(d))") }
            guard let exact = Int(exactly: d) else { throw BadArgument(position, function, "\(label) must be a whole number, got \(LuaValue.format(d))") }
            n = exact
        default:
            throw BadArgument(position, function, "\(label) must be a number, got \(value.typeName)")
        }
        if let minimum, n < minimum { throw BadArgument(position, function, "\(label) must not be negative, got \(n)") }
        return n
    }

    package static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): Int(text) != nil ? text : "\"\(text)\""
        case .null: "null"
        default: value.looseString ?? "{...}"
        }
    }

    /// A field's new value in a plan line: as the form shows it, but a float as Lua writes it
    /// and a table only as `{...}`.
    package static func describe(_ value: FormValue) -> String {
        switch value {
        case .double(let d): LuaValue.format(d)
        case .list, .map: "{...}"
        case .null, .bool, .int, .string: value.description
        }
    }
}
