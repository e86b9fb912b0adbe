import Foundation
import PanelAPI
import ScriptAPI

/// A fleet's plan (`nightshift plan SCRIPT --panels eu,us`): one section per panel, each
/// the writes that panel's dry-run would make, bound to that panel as a ``Plan`` binds
/// them, under one id, one digest and one set of approvals (docs/plans.md, "Fleet plans").
///
/// What the sections share (the script, modules, arguments, binding, author, times) is
/// written once; each section holds its panel's URL and key fingerprint, its grant, its
/// writes and its bound reads. A section's ``Section/plan`` is that panel's plan as a
/// ``Plan`` with the fleet's id, so each panel is checked, and its writes sent, exactly as
/// a plan of one panel is.
public struct FleetPlan: ReviewedPlan, Equatable {
    /// The single-use id, one for the whole fleet.
    public var id: String
    /// When it was made (ISO 8601, UTC).
    public var createdAt: String
    /// After this instant it can no longer be applied.
    public var expiresAt: String
    /// Who made it.
    public var author: String
    /// The script and its SHA-256.
    public var script: Plan.Content
    /// The modules the script required (on any panel), in the order first loaded.
    public var modules: [Plan.Content]
    /// `--arg` pairs, in order.
    public var arguments: [Plan.Argument]
    /// What each panel's writes are bound to.
    public var binding: Plan.Binding
    /// `--max-credits-total`: the most credits the fleet's writes may move together.
    public var maxCreditsTotal: Int?
    /// One section per panel, in the order `--panels` named them.
    public var sections: [Section]
    /// Signatures of approvers over ``digest``.
    public var approvals: [Plan.Approval]
    /// Rejections, with their reasons.
    public var rejections: [Plan.Rejection]
    /// `sha256:` and the hex SHA-256 of the canonical encoding of everything but the digest,
    /// approvals and rejections.
    public var digest: String

    /// One panel's part of the plan.
    public struct Section: Sendable, Equatable {
        /// The panel's name in nightshift.toml (`[panels.NAME]`): apply connects to it by name.
        public var name: String
        /// That panel's plan, with the fleet's id, times, author, script and binding.
        public var plan: Plan

        /// Creates one.
        public init(name: String, plan: Plan) {
            self.name = name
            self.plan = plan
        }
    }

    /// A fleet plan of per-panel plans made by one dry-run of the fleet (each made with
    /// ``Plan/init(writes:reads:context:)`` from the same context but its panel): they take
    /// one fresh id, and the first's times, author, script and binding.
    /// - Parameter panels: each panel's name and plan, in the fleet's order; at least one.
    public init(panels: [(name: String, plan: Plan)], maxCreditsTotal: Int?) {
        precondition(!panels.isEmpty, "a fleet plan has at least one panel")
        let first = panels[0].plan
        id = Plan.newID()
        createdAt = first.createdAt
        expiresAt = first.expiresAt
        author = first.author
        script = first.script
        var modules: [Plan.Content] = []
        for (_, plan) in panels {
            for module in plan.modules where !modules.contains(module) { modules.append(module) }
        }
        self.modules = modules
        arguments = first.arguments
        binding = first.binding
        self.maxCreditsTotal = maxCreditsTotal
        approvals = []
        rejections = []
        digest = ""
        sections = []
        sections = panels.map { Section(name: $0.name, plan: sectionPlan($0.plan)) }
        digest = computedDigest
    }

    /// `plan` made one of this fleet's sections: the fleet's shared fields, its own panel,
    /// grant, writes and reads, and the digest of that.
    private func sectionPlan(_ plan: Plan) -> Plan {
        var section = plan
        section.id = id
        section.createdAt = createdAt
        section.expiresAt = expiresAt
        section.author = author
        section.script = script
        section.modules = modules
        section.arguments = arguments
        section.binding = binding
        section.approvals = []
        section.rejections = []
        section.digest = section.computedDigest
        return section
    }

    // MARK: Totals

    /// Writes on every panel.
    public var writeCount: Int { sections.reduce(0) { $0 + $1.plan.writes.count } }
    /// Credits moved on every panel, counted as caps count them.
    public var creditsMoved: Int { sections.reduce(0) { $0 + $1.plan.creditsMoved } }
    /// The sum of every panel's signed changes.
    public var netCreditChange: Int { sections.reduce(0) { $0 + $1.plan.netCreditChange } }
    /// `fleet eu, us, backup`.
    public var panelDescription: String { "fleet " + sections.map(\.name).joined(separator: ", ") }

    // MARK: Checks beyond every plan's

    /// The fleet cap: the writes of every panel together stay within `--max-credits-total`.
    public func checkFleetCap() throws(PlanRefusal) {
        guard let cap = maxCreditsTotal, creditsMoved > cap else { return }
        throw PlanRefusal(
            .caps,
            "the fleet's writes move \(creditsMoved) credits together, over the fleet cap of \(cap) (--max-credits-total) the plan records; nothing was sent")
    }

    // MARK: The file

    /// The fields a section writes of its plan; the rest are the fleet's.
    private static let sectionFields = ["panel", "grant", "totals", "writes", "reads"]
    /// The fields the fleet writes once for every section.
    private static let sharedFields = ["id", "created_at", "expires_at", "author", "script", "modules", "arguments", "binding"]

    /// What the digest covers: everything but the digest, approvals and rejections.
    var body: JSONObject {
        var object = JSONObject()
        object["schema"] = .int(Plan.schemaVersion)
        object["kind"] = "fleet"
        let shared = sections.first?.plan.body ?? JSONObject()
        for field in Self.sharedFields { object[field] = shared[field] }
        object["id"] = .string(id)
        object["fleet"] = .object([
            "panels": .array(sections.map { .string($0.name) }),
            "max_credits_total": maxCreditsTotal.map(JSONValue.int) ?? .null,
        ])
        object["totals"] = .object([
            "panels": .int(sections.count), "writes": .int(writeCount), "credits_moved": .int(creditsMoved),
            "net_credit_change": .int(netCreditChange),
        ])
        object["sections"] = .array(
            sections.map { section in
                let body = section.plan.body
                var object: JSONObject = ["name": .string(section.name)]
                for field in Self.sectionFields { object[field] = body[field] }
                return .object(object)
            })
        return object
    }

    /// The whole plan as a JSON document.
    public var document: JSONValue { signed(body) }

    /// The digest of ``body``.
    public var computedDigest: String { "sha256:" + ContentHash.sha256(PlanJSON.canonical(.object(body))) }

    /// What an approver signs: the digest, with the format's name (not a single plan's, so
    /// that neither kind's signature passes as the other's).
    public var signedMessage: [UInt8] { Array("nightshift fleet plan approval v1 \(digest)".utf8) }

    /// Reads a fleet plan's text as strictly as ``Plan/init(text:)`` reads a plan's.
    public init(text bytes: [UInt8]) throws(Plan.FormatError) {
        try self.init(document: try Plan.parse(bytes))
    }

    /// Reads a fleet plan's document.
    init(document root: JSONValue) throws(Plan.FormatError) {
        let r = PlanReader(root, at: "plan")
        let schema = try r.int("schema")
        guard schema == Plan.schemaVersion else {
            throw Plan.FormatError(
                "the plan file's schema version is \(schema); this nightshift reads version \(Plan.schemaVersion): make the plan again with this version")
        }
        try r.only(Set(["schema", "kind", "fleet", "totals", "sections", "digest", "approvals", "rejections"] + Self.sharedFields))
        guard try r.string("kind") == "fleet" else { throw Plan.FormatError("plan.kind must be \"fleet\"") }
        let fleet = try r.object("fleet")
        try fleet.only(["panels", "max_credits_total"])
        let names = try fleet.array("panels").map { item throws(Plan.FormatError) in try item.asString() }
        maxCreditsTotal = try fleet.optionalInt("max_credits_total")
        guard case .object(let rootObject) = root else { throw Plan.FormatError("plan must be an object") }
        for field in Self.sharedFields { _ = try r.value(field) }
        var sections: [Section] = []
        for (index, item) in try r.array("sections").enumerated() {
            let place = "plan.sections[\(index)]"
            let s = try item.asObject()
            try s.only(Set(["name"] + Self.sectionFields))
            let name = try s.string("name")
            guard !sections.contains(where: { $0.name == name }) else {
                throw Plan.FormatError("\(place).name '\(name)' names a panel a section before it names too")
            }
            // The section as a plan of its own: the fleet's shared fields and its own.
            var document = JSONObject()
            document["schema"] = .int(Plan.schemaVersion)
            for field in Self.sharedFields { document[field] = rootObject[field] }
            for field in Self.sectionFields { document[field] = s.object[field] }
            document["digest"] = ""
            document["approvals"] = .array([])
            document["rejections"] = .array([])
            var plan = try Plan(document: .object(document), at: place)
            plan.digest = plan.computedDigest
            sections.append(Section(name: name, plan: plan))
        }
        guard !sections.isEmpty else { throw Plan.FormatError("plan.sections is empty: a fleet plan has one section per panel") }
        guard names == sections.map(\.name) else {
            throw Plan.FormatError("plan.fleet.panels (\(names.joined(separator: ", "))) does not name the sections' panels in order: the file was edited")
        }
        let first = sections[0].plan
        id = first.id
        createdAt = first.createdAt
        expiresAt = first.expiresAt
        author = first.author
        script = first.script
        modules = first.modules
        arguments = first.arguments
        binding = first.binding
        self.sections = sections
        digest = try r.string("digest")
        approvals = try Plan.approvals(r)
        rejections = try Plan.rejections(r)
        let totals = try r.object("totals")
        try totals.only(["panels", "writes", "credits_moved", "net_credit_change"])
        guard try totals.int("panels") == sections.count, try totals.int("writes") == writeCount,
            try totals.int("credits_moved") == creditsMoved, try totals.int("net_credit_change") == netCreditChange
        else {
            throw Plan.FormatError("plan.totals do not add up to its sections' writes: the file was edited")
        }
    }

    /// The file's text.
    public var fileText: String { PlanJSON.pretty(document) + "\n" }

    /// Writes the plan to `path` whole or not at all, as ``Plan/write(to:replacing:)`` does.
    public func write(to path: String, replacing: Bool) throws(PlanRefusal) {
        try Plan.writeWhole(fileText, to: path, replacing: replacing)
    }

    // MARK: For a reviewer

    /// The plan for a reviewer: the fleet, then each panel's writes as a plan of one panel
    /// shows them, the totals, the approvals and whether it can be applied.
    public func text(_ standing: Plan.Standing) -> String {
        var lines: [String] = []
        lines.append("fleet plan \(id)  \(digest)")
        lines.append("made by \(author) at \(createdAt); expires at \(expiresAt)")
        lines.append(
            "\(sections.count) panel\(sections.count == 1 ? "" : "s"): \(sections.map(\.name).joined(separator: ", "))"
                + (maxCreditsTotal.map { "; fleet cap \($0) credits (--max-credits-total)" } ?? ""))
        lines += Plan.scriptLines(script, modules: modules, arguments: arguments)
        lines.append(Plan.bindingLine(binding))
        for section in sections {
            let plan = section.plan
            lines.append("")
            lines.append("[\(section.name)] panel \(plan.panel.url) (key \(plan.panel.keyFingerprint.prefix(19))...)")
            lines.append("[\(section.name)] " + Plan.grantLine(plan.grant))
            lines += Plan.writeLines(plan.writes).map { "[\(section.name)] " + $0 }
            lines.append(
                "[\(section.name)] totals: \(plan.writes.count) writes, \(plan.creditsMoved) credits moved (net \(plan.netCreditChange > 0 ? "+" : "")\(plan.netCreditChange))")
            if binding == .reads { lines.append("[\(section.name)] " + Plan.boundReadsLine(plan.reads)) }
        }
        lines.append("")
        lines.append(
            "fleet totals: \(sections.count) panels, \(writeCount) writes, \(creditsMoved) credits moved (net \(netCreditChange > 0 ? "+" : "")\(netCreditChange))")
        lines += standingLines(standing)
        return lines.joined(separator: "\n")
    }
}
