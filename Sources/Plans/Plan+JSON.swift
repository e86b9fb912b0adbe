import Crypto
import Foundation
import PanelAPI
import ScriptAPI

extension Plan {
    /// The most bytes a plan file may have: a plan of 50,000 writes is under 25 MiB.
    public static let maximumFileSize = 32 << 20

    /// Why a plan file cannot be read: the message names the file's fault and what to do.
    public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Writing

    /// The whole plan as a JSON document, in a fixed order meant for reading.
    public var document: JSONValue { signed(body) }

    /// The file's text: the document, indented, with a newline at the end.
    public var fileText: String { PlanJSON.pretty(document) + "\n" }

    /// What the digest covers: everything but the digest, approvals and rejections.
    var body: JSONObject {
        var object = JSONObject()
        object["schema"] = .int(Self.schemaVersion)
        object["id"] = .string(id)
        object["created_at"] = .string(createdAt)
        object["expires_at"] = .string(expiresAt)
        object["author"] = .string(author)
        object["panel"] = .object(["url": .string(panel.url), "key_fingerprint": .string(panel.keyFingerprint)])
        object["script"] = Self.content(script)
        object["modules"] = .array(modules.map(Self.content))
        object["arguments"] = .array(arguments.map { .object(["key": .string($0.key), "value": .string($0.value)]) })
        var grantObject: JSONObject = [
            "allow": .array(grant.allow.map(JSONValue.string)), "max_credits": .int(grant.maxCredits),
        ]
        grantObject["max_credits_per_reseller"] = grant.maxCreditsPerReseller.map(JSONValue.int) ?? .null
        object["grant"] = .object(grantObject)
        object["binding"] = .string(binding.rawValue)
        object["totals"] = .object([
            "writes": .int(writes.count), "credits_moved": .int(creditsMoved), "net_credit_change": .int(netCreditChange),
        ])
        object["writes"] = .array(writes.map(Self.write))
        object["reads"] = .array(reads.map(Self.read))
        return object
    }

    /// The digest of ``body``: `sha256:` and hex.
    public var computedDigest: String {
        "sha256:" + ContentHash.sha256(PlanJSON.canonical(.object(body)))
    }

    /// What an approver signs: the digest, with the format's name so that a signature over
    /// anything else cannot pass as an approval.
    public var signedMessage: [UInt8] { Array("nightshift plan approval v1 \(digest)".utf8) }

    private static func content(_ content: Content) -> JSONValue {
        .object(["path": .string(content.path), "sha256": .string(content.sha256)])
    }

    private static func write(_ write: PlannedWrite) -> JSONValue {
        var object = JSONObject()
        object["function"] = .string(write.function)
        object["endpoint"] = .string(write.endpoint)
        object["path"] = .string("api/\(write.group)/\(write.action)")
        object["target"] = write.target.map { .object(["param": .string($0.param), "value": .string($0.value)]) } ?? .null
        object["label"] = .string(write.label)
        var credits: JSONObject = ["change": .int(write.creditChange)]
        credits["before"] = write.creditsBefore.map(JSONValue.int) ?? .null
        credits["after"] = write.creditsAfter.map(JSONValue.int) ?? .null
        credits["account"] = .string(write.creditAccount)
        object["credits"] = .object(credits)
        object["fields"] = .array(write.fieldChanges.map(JSONValue.string))
        object["form"] = PlanJSON.form(write.form)
        object["preconditions"] = .array(write.preconditions.map(precondition))
        object["location"] = write.location.map(JSONValue.string) ?? .null
        return .object(object)
    }

    static func precondition(_ precondition: Precondition) -> JSONValue {
        var object: JSONObject = [
            "source": .string(precondition.source.rawValue),
            "record": .object(["param": .string(precondition.record.param), "value": .string(precondition.record.value)]),
        ]
        switch precondition.expectation {
        case .exists: object["expect"] = "exists"
        case .absent: object["expect"] = "absent"
        case .equals(let field, let value):
            object["expect"] = "equals"
            object["field"] = .string(field)
            object["value"] = .string(value)
        }
        return .object(object)
    }

    private static func read(_ read: BoundRead) -> JSONValue {
        var object = JSONObject()
        object["function"] = .string(read.function)
        object["path"] = .string("api/\(read.group)/\(read.action)")
        object["form"] = PlanJSON.form(read.form)
        object["records"] = read.records.map { records in
            .array(records.map { record in
                .object([
                    "id": .string(record.id), "name": .string(record.name),
                    "fields": .object(JSONObject(record.fields.map { ($0.key, JSONValue.string($0.value)) })),
                ])
            })
        } ?? .null
        object["answer_sha256"] = read.answerSHA256.map(JSONValue.string) ?? .null
        return .object(object)
    }

    // MARK: Reading

    /// Reads a plan file's text, refusing what this version would not have written:
    /// duplicate keys, unknown fields, another schema version, values of the wrong kind.
    /// The digest is not checked here (see ``PlanCheck``), so that `show` can show a
    /// tampered plan as such.
    public init(text bytes: [UInt8]) throws(FormatError) {
        try self.init(document: try Self.parse(bytes), at: "plan")
    }

    /// A plan file's JSON (of either kind), duplicate keys refused.
    static func parse(_ bytes: [UInt8]) throws(FormatError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes, rejectingDuplicateKeys: true)
        } catch {
            throw FormatError("not a plan file: it is not valid JSON (\(error)); a plan file is written whole by nightshift plan, so a cut-off or edited file shows here")
        }
    }

    /// `approvals` of a plan file's document.
    static func approvals(_ r: PlanReader) throws(FormatError) -> [Approval] {
        try r.array("approvals").map { item throws(FormatError) in
            let o = try item.asObject()
            try o.only(["approver", "at", "signature"])
            return Approval(approver: try o.string("approver"), at: try o.string("at"), signature: try o.string("signature"))
        }
    }

    /// `rejections` of a plan file's document.
    static func rejections(_ r: PlanReader) throws(FormatError) -> [Rejection] {
        try r.array("rejections").map { item throws(FormatError) in
            let o = try item.asObject()
            try o.only(["by", "at", "reason"])
            return Rejection(by: try o.string("by"), at: try o.string("at"), reason: try o.string("reason"))
        }
    }

    /// Reads a plan's document; `place` names it in errors (`plan`, `plan.sections[1]`).
    init(document root: JSONValue, at place: String) throws(FormatError) {
        let r = PlanReader(root, at: place)
        let schema = try r.int("schema")
        guard schema == Self.schemaVersion else {
            throw FormatError("the plan file's schema version is \(schema); this nightshift reads version \(Self.schemaVersion): make the plan again with this version")
        }
        try r.only([
            "schema", "id", "created_at", "expires_at", "author", "panel", "script", "modules", "arguments", "grant",
            "binding", "totals", "writes", "reads", "digest", "approvals", "rejections",
        ])
        id = try r.string("id")
        createdAt = try r.string("created_at")
        expiresAt = try r.string("expires_at")
        author = try r.string("author")
        let panelReader = try r.object("panel")
        try panelReader.only(["url", "key_fingerprint"])
        panel = Panel(url: try panelReader.string("url"), keyFingerprint: try panelReader.string("key_fingerprint"))
        script = try Self.content(try r.object("script"))
        modules = try r.array("modules").map { reader throws(FormatError) in try Self.content(try reader.asObject()) }
        arguments = try r.array("arguments").map { item throws(FormatError) in
            let o = try item.asObject()
            try o.only(["key", "value"])
            return Argument(key: try o.string("key"), value: try o.string("value"))
        }
        let g = try r.object("grant")
        try g.only(["allow", "max_credits", "max_credits_per_reseller"])
        grant = GrantRecord(
            allow: try g.array("allow").map { item throws(FormatError) in try item.asString() }, maxCredits: try g.int("max_credits"),
            maxCreditsPerReseller: try g.optionalInt("max_credits_per_reseller"))
        let bindingText = try r.string("binding")
        guard let binding = Binding(rawValue: bindingText) else {
            throw FormatError("\(place).binding is '\(bindingText)'; it must be \"writes\" or \"reads\"")
        }
        self.binding = binding
        writes = try r.array("writes").map { item throws(FormatError) in try Self.write(try item.asObject()) }
        reads = try r.array("reads").map { item throws(FormatError) in try Self.read(try item.asObject()) }
        digest = try r.string("digest")
        approvals = try Self.approvals(r)
        rejections = try Self.rejections(r)
        // The totals are written for readers; they must agree with the writes.
        let totals = try r.object("totals")
        try totals.only(["writes", "credits_moved", "net_credit_change"])
        guard try totals.int("writes") == writes.count, try totals.int("credits_moved") == creditsMoved,
            try totals.int("net_credit_change") == netCreditChange
        else {
            throw FormatError("\(place).totals do not add up to its writes: the file was edited")
        }
    }

    private static func content(_ r: PlanReader) throws(FormatError) -> Content {
        try r.only(["path", "sha256"])
        return Content(path: try r.string("path"), sha256: try r.string("sha256"))
    }

    private static func write(_ r: PlanReader) throws(FormatError) -> PlannedWrite {
        try r.only(["function", "endpoint", "path", "target", "label", "credits", "fields", "form", "preconditions", "location"])
        let (group, action) = try path(r.string("path"), at: r.path + ".path")
        var target: WriteTarget?
        if let t = try r.optionalObject("target") {
            try t.only(["param", "value"])
            target = WriteTarget(param: try t.string("param"), value: try t.string("value"))
        }
        let credits = try r.object("credits")
        try credits.only(["change", "before", "after", "account"])
        return PlannedWrite(
            function: try r.string("function"), endpoint: try r.string("endpoint"), group: group, action: action,
            form: try PlanJSON.form(try r.value("form"), at: r.path + ".form"), target: target, label: try r.string("label"),
            creditChange: try credits.int("change"), creditsBefore: try credits.optionalInt("before"),
            creditsAfter: try credits.optionalInt("after"), creditAccount: try credits.string("account"),
            fieldChanges: try r.array("fields").map { item throws(FormatError) in try item.asString() },
            preconditions: try r.array("preconditions").map { item throws(FormatError) in try precondition(try item.asObject()) },
            location: try r.optionalString("location"))
    }

    static func precondition(_ r: PlanReader) throws(FormatError) -> Precondition {
        let record = try r.object("record")
        try record.only(["param", "value"])
        let target = WriteTarget(param: try record.string("param"), value: try record.string("value"))
        let source = APIFunction(rawValue: try r.string("source"))
        switch try r.string("expect") {
        case "exists":
            try r.only(["source", "record", "expect"])
            return Precondition(source: source, record: target, expectation: .exists)
        case "absent":
            try r.only(["source", "record", "expect"])
            return Precondition(source: source, record: target, expectation: .absent)
        case "equals":
            try r.only(["source", "record", "expect", "field", "value"])
            return Precondition(
                source: source, record: target, expectation: .equals(field: try r.string("field"), value: try r.string("value")))
        case let other:
            throw FormatError("\(r.path).expect is '\(other)'; it must be \"exists\", \"absent\" or \"equals\"")
        }
    }

    private static func read(_ r: PlanReader) throws(FormatError) -> BoundRead {
        try r.only(["function", "path", "form", "records", "answer_sha256"])
        let (group, action) = try path(r.string("path"), at: r.path + ".path")
        var records: [Record]?
        if try r.value("records") != .null {
            records = try r.array("records").map { item throws(FormatError) in
                let o = try item.asObject()
                try o.only(["id", "name", "fields"])
                let fields = try o.object("fields")
                return Record(
                    id: try o.string("id"), name: try o.string("name"),
                    fields: try fields.keys.map { key throws(FormatError) in (key, try fields.string(key)) })
            }
        }
        return BoundRead(
            function: try r.string("function"), group: group, action: action,
            form: try PlanJSON.form(try r.value("form"), at: r.path + ".form"), records: records,
            answerSHA256: try r.optionalString("answer_sha256"))
    }

    private static func path(_ text: String, at place: String) throws(FormatError) -> (String, String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "api", !parts[1].isEmpty, !parts[2].isEmpty else {
            throw FormatError("\(place) is '\(text)'; it must be api/<group>/<action>")
        }
        return (String(parts[1]), String(parts[2]))
    }
}

/// Strict, typed access to one object of a plan file, with errors naming the field's path.
struct PlanReader {
    let object: JSONObject
    let path: String

    init(_ value: JSONValue, at path: String) {
        if case .object(let object) = value { self.object = object } else { self.object = JSONObject() }
        self.path = path
    }

    private func fail(_ key: String, _ expected: String) -> Plan.FormatError {
        Plan.FormatError("\(path).\(key) must be \(expected)")
    }

    var keys: [String] { object.keys }

    func only(_ known: Set<String>) throws(Plan.FormatError) {
        for key in object.keys where !known.contains(key) {
            throw Plan.FormatError("\(path) has a field this version does not know: '\(key)'")
        }
    }

    func value(_ key: String) throws(Plan.FormatError) -> JSONValue {
        guard let value = object[key] else { throw Plan.FormatError("\(path).\(key) is missing") }
        return value
    }

    func string(_ key: String) throws(Plan.FormatError) -> String {
        guard case .string(let text) = try value(key) else { throw fail(key, "a string") }
        return text
    }

    func optionalString(_ key: String) throws(Plan.FormatError) -> String? {
        switch try value(key) {
        case .null: return nil
        case .string(let text): return text
        default: throw fail(key, "a string or null")
        }
    }

    func int(_ key: String) throws(Plan.FormatError) -> Int {
        guard case .int(let number) = try value(key) else { throw fail(key, "a whole number") }
        return number
    }

    func optionalInt(_ key: String) throws(Plan.FormatError) -> Int? {
        switch try value(key) {
        case .null: return nil
        case .int(let number): return number
        default: throw fail(key, "a whole number or null")
        }
    }

    func object(_ key: String) throws(Plan.FormatError) -> PlanReader {
        guard case .object = try value(key) else { throw fail(key, "an object") }
        return PlanReader(try value(key), at: "\(path).\(key)")
    }

    func optionalObject(_ key: String) throws(Plan.FormatError) -> PlanReader? {
        switch try value(key) {
        case .null: return nil
        case .object: return PlanReader(try value(key), at: "\(path).\(key)")
        default: throw fail(key, "an object or null")
        }
    }

    func array(_ key: String) throws(Plan.FormatError) -> [Item] {
        guard case .array(let items) = try value(key) else { throw fail(key, "a list") }
        return items.enumerated().map { Item(value: $1, path: "\(path).\(key)[\($0)]") }
    }

    /// One element of a list.
    struct Item {
        let value: JSONValue
        let path: String

        func asObject() throws(Plan.FormatError) -> PlanReader {
            guard case .object = value else { throw Plan.FormatError("\(path) must be an object") }
            return PlanReader(value, at: path)
        }

        func asString() throws(Plan.FormatError) -> String {
            guard case .string(let text) = value else { throw Plan.FormatError("\(path) must be a string") }
            return text
        }
    }
}

/// JSON as plan files need it: forms that keep their order and their value types, a
/// canonical encoding for the digest, and an indented one for people.
enum PlanJSON {
    /// A form as `[[key, value], ...]`: order kept, floats as `{"float": "2.5"}` so they come
    /// back exact, lists as `{"list": [...]}`, maps as `{"map": [[key, value], ...]}`.
    static func form(_ map: FormMap) -> JSONValue {
        .array(map.entries.map { .array([.string($0.key), value($0.value)]) })
    }

    private static func value(_ value: FormValue) -> JSONValue {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let n): .int(n)
        case .string(let s): .string(s)
        case .double(let d): .object(["float": .string(String(d))])
        case .list(let items): .object(["list": .array(items.map(Self.value))])
        case .map(let map): .object(["map": form(map)])
        }
    }

    static func form(_ json: JSONValue, at path: String) throws(Plan.FormatError) -> FormMap {
        guard case .array(let pairs) = json else { throw Plan.FormatError("\(path) must be a list of [name, value] pairs") }
        var entries: [(String, FormValue)] = []
        var seen = Set<String>()
        for (index, pair) in pairs.enumerated() {
            guard case .array(let parts) = pair, parts.count == 2, case .string(let key) = parts[0] else {
                throw Plan.FormatError("\(path)[\(index)] must be a [name, value] pair")
            }
            guard seen.insert(key).inserted else { throw Plan.FormatError("\(path) names '\(key)' twice") }
            entries.append((key, try value(parts[1], at: "\(path)[\(index)]")))
        }
        return FormMap(entries)
    }

    private static func value(_ json: JSONValue, at path: String) throws(Plan.FormatError) -> FormValue {
        switch json {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let n): return .int(n)
        case .string(let s): return .string(s)
        case .double: throw Plan.FormatError("\(path): a number with a fraction must be written {\"float\": \"2.5\"}")
        case .array: throw Plan.FormatError("\(path): a list must be written {\"list\": [...]}")
        case .object(let object):
            guard object.keys.count == 1, let key = object.keys.first, let inner = object[key] else {
                throw Plan.FormatError("\(path) must be {\"float\": ...}, {\"list\": [...]} or {\"map\": [...]}")
            }
            switch (key, inner) {
            case ("float", .string(let text)):
                guard let number = Double(text), number.isFinite else { throw Plan.FormatError("\(path): '\(text)' is not a number") }
                return .double(number)
            case ("list", .array(let items)):
                var values: [FormValue] = []
                for (index, item) in items.enumerated() { values.append(try value(item, at: "\(path).list[\(index)]")) }
                return .list(values)
            case ("map", _):
                return .map(try form(inner, at: "\(path).map"))
            default:
                throw Plan.FormatError("\(path) must be {\"float\": ...}, {\"list\": [...]} or {\"map\": [...]}")
            }
        }
    }

    /// Sorted keys at every depth, no whitespace: the same bytes for the same content,
    /// however a file was written.
    static func canonical(_ value: JSONValue) -> [UInt8] {
        JSONWriter.write(sorted(value))
    }

    private static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(sorted))
        case .object(let object):
            let members = object.members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            return .object(JSONObject(members.map { ($0.key, sorted($0.value)) }))
        default: return value
        }
    }

    /// Indented two spaces a level, members in their order.
    static func pretty(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .array(let items):
            if items.isEmpty { return "[]" }
            // Short lists of scalars (a form pair, a list of names) stay on one line.
            if items.count <= 8, items.allSatisfy({ if case .object = $0 { false } else if case .array = $0 { false } else { true } }) {
                return "[" + items.map { pretty($0) }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let object):
            if object.members.isEmpty { return "{}" }
            return "{\n"
                + object.members.map { inner + string($0.key) + ": " + pretty($0.value, indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        case .string(let text):
            return string(text)
        default:
            return String(decoding: JSONWriter.write(value), as: UTF8.self)
        }
    }

    /// A JSON string for people: only quotes, backslashes and control characters escaped.
    private static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension ReviewedPlan {
    /// The document of a plan file: `body` (what the digest covers), then the digest, the
    /// approvals and the rejections.
    func signed(_ body: JSONObject) -> JSONValue {
        var object = body
        object["digest"] = .string(digest)
        object["approvals"] = .array(
            approvals.map { .object(["approver": .string($0.approver), "at": .string($0.at), "signature": .string($0.signature)]) })
        object["rejections"] = .array(
            rejections.map { .object(["by": .string($0.by), "at": .string($0.at), "reason": .string($0.reason)]) })
        return .object(object)
    }
}
