import LuaHost
import PanelAPI

/// The host code of `resellers.*` and `panel.call` (declared in ``ResellersGroup`` and
/// ``PanelGroup``): reads the script's arguments, builds the request and hands it to the
/// run's ``GuardedPanel``.
///
/// Each function returns `true, result` or `false, error` to the prelude's wrapper, which
/// raises the error at the script's line (argument errors as Lua-worded strings, API failures
/// as error objects).
enum ResellersModule {
    /// An argument problem, already worded as Lua's `bad argument #n to 'f' (...)`.
    struct BadArgument: Error {
        let message: String
        init(_ error: LuaArgumentError) { message = error.description }
        init(_ position: Int, _ function: String, _ problem: String) {
            message = LuaArgumentError(position: position, function: function, problem: problem).description
        }
    }

    // MARK: resellers.new

    static func new(_ args: LuaArguments, _ panel: GuardedPanel) throws -> CallStep<LuaValue> {
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
        var row: JSONObject = ["username": .string(userName), "credits": .int(credits ?? 0)]
        row["max_allowed_connections"] = .int(connections ?? 1)
        row["use_credits"] = .int((useCredits ?? true) ? 1 : 0)
        let write = GuardedPanel.Write(
            function: .resellersNew, request: .resellersNew(reseller), target: nil, targetLabel: "new \"\(userName)\"",
            effect: .start(credits ?? 0), viewChange: .new(row))
        return panel.perform(write.made(at: args)).map { reply in reply.createdID.map { .integer(Int64($0)) } ?? .boolean(true) }
    }

    // MARK: resellers.update

    static func update(_ args: LuaArguments, _ panel: GuardedPanel) throws -> CallStep<LuaValue> {
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
        var effect = GuardedPanel.CreditEffect.none
        if fieldsTable["credits"] != .nil {
            let credits = try optionalWhole(fieldsTable["credits"], field: "credits", function: name, minimum: 0, position: fieldsPosition)!
            effect = .set(credits)
        }
        for key in ["max_allowed_connections", "status"] where fieldsTable[key] != .nil {
            _ = try optionalWhole(fieldsTable[key], field: key, function: name, minimum: 0, position: fieldsPosition)
        }
        let changes = fields.entries.filter { $0.key != "credits" }.map { "\($0.key) = \(describe($0.value))" }
        let write = GuardedPanel.Write(
            function: .resellersUpdate, request: .resellersUpdate(target, fields: fields), target: target,
            targetLabel: target.description, effect: effect, fieldChanges: changes, viewChange: .update(target, fields))
        return panel.perform(write.made(at: args)).map { _ in .boolean(true) }
    }

    // MARK: resellers.add_credits

    static func addCredits(_ args: LuaArguments, _ panel: GuardedPanel) throws -> CallStep<LuaValue> {
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
        let write = GuardedPanel.Write(
            function: .resellersAddCredits, request: .resellersAddCredits(target, amount), target: target,
            targetLabel: target.description, effect: .add(amount), viewChange: .addCredits(target, amount))
        return panel.perform(write.made(at: args)).map { _ in .boolean(true) }
    }

    // MARK: panel.call

    static func call(_ args: LuaArguments, _ panel: GuardedPanel) throws -> CallStep<LuaValue> {
        let name = args.functionName
        try args.expectAtMost(3)
        let group = try args.string(1)
        let action = try args.string(2)
        if group == "resellers" {
            throw BadArgument(1, name, "use resellers.* for the resellers group, so credit caps apply")
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
        let write = GuardedPanel.Write(
            function: .panelCall, request: request, target: nil, targetLabel: "\(group)/\(action)", effect: .none)
        return panel.perform(write.made(at: args)).map { LuaJSON.lua($0.body) }
    }

    // MARK: Reading arguments

    static func targetArgument(_ args: LuaArguments, _ i: Int) throws -> ResellerRef {
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

    static func targetField(_ table: LuaTable, function: String) throws -> ResellerRef {
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
    static func optionalWhole(
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

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): Int(text) != nil ? text : "\"\(text)\""
        case .null: "null"
        default: value.looseString ?? "{...}"
        }
    }

    /// A field's new value in a plan line: as the form shows it, but a float as Lua writes it
    /// and a table only as `{...}`.
    static func describe(_ value: FormValue) -> String {
        switch value {
        case .double(let d): LuaValue.format(d)
        case .list, .map: "{...}"
        case .null, .bool, .int, .string: value.description
        }
    }
}

extension GuardedPanel.Write {
    /// The write, naming the script or module line that made it (past the prelude's wrappers).
    func made(at args: LuaArguments) -> Self {
        var write = self
        write.location = args.callerLocation(skipping: Prelude.chunkName)
        return write
    }
}
