import Foundation
import Testing

/// `nightshift plan --panels`, show, approve and apply with the built binaries, over three
/// emulator processes, each with its own key (docs/plans.md, "Fleet plans").
@Suite("fleet plans over three emulator processes, end to end", .serialized)
struct FleetPlanEndToEndTests {
    static let topUp = "resellers.add_credits(1, 10)\n"
    static let grant = ["--allow", "resellers.add_credits", "--max-credits", "10"]

    /// A fleet of three, with bob as the one approver a plan needs.
    func fleet() throws -> Fleet {
        let fleet = try Fleet(count: 3)
        let keys = try Nightshift.run(["keys", "new", "bob", "--dir", fleet.folder])
        #expect(keys.status == 0, "\(keys.all)")
        let approver = keys.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let toml = try String(contentsOfFile: fleet.config, encoding: .utf8)
        try (toml + "\n[approvals]\nrequired = 1\napprovers = [\n  \(approver),\n]\n").write(
            toFile: fleet.config, atomically: true, encoding: .utf8)
        return fleet
    }

    func nightshift(_ fleet: Fleet, _ arguments: [String]) throws -> Nightshift.Result {
        try Nightshift.run(arguments + ["--config", fleet.config])
    }

    @Test("plan --panels all writes one section per panel under one digest; approved once, apply tops up every panel exactly once")
    func planApproveApply() throws {
        let fleet = try fleet()
        defer { fleet.stop() }
        let before = try fleet.credits(of: 1)
        let script = try fleet.script("topup.lua", Self.topUp)
        let file = fleet.folder + "/fleet.plan"
        let made = try nightshift(fleet, ["plan", script, "--panels", "all", "--out", file, "--as", "alice"] + Self.grant)
        #expect(made.status == 0, "\(made.all)")
        #expect(made.error.contains("written to \(file): 3 writes, 30 credits moved"), "\(made.error)")
        #expect(try fleet.stats().allSatisfy { $0["mutations"] == 0 })

        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        #expect(json["kind"] as? String == "fleet")
        let sections = try #require(json["sections"] as? [[String: Any]])
        #expect(sections.compactMap { $0["name"] as? String } == fleet.names)
        let urls = sections.compactMap { ($0["panel"] as? [String: Any])?["url"] as? String }
        #expect(urls == fleet.panels.map(\.url))

        let fileText = try String(contentsOfFile: file, encoding: .utf8)
        for panel in fleet.panels {
            #expect(!fileText.contains(panel.key) && !made.all.contains(panel.key), "a key in the plan or the output")
        }

        let shown = try nightshift(fleet, ["show", file])
        #expect(shown.status == 0, "\(shown.all)")
        #expect(shown.output.contains("3 panels: p1, p2, p3"), "\(shown.output)")
        for name in fleet.names {
            #expect(shown.output.contains("[\(name)]   1. resellers.add_credits  "), "\(shown.output)")
        }
        #expect(shown.output.contains("approvals: 0 of 1 needed"))

        let unapproved = try nightshift(fleet, ["apply", file])
        #expect(unapproved.status == 2, "\(unapproved.all)")
        #expect(unapproved.error.contains("needs 1 approval and has 0"), "\(unapproved.error)")

        let approve = try nightshift(fleet, ["approve", file, "--key", fleet.folder + "/bob.key"])
        #expect(approve.status == 0, "\(approve.all)")
        let applied = try nightshift(fleet, ["apply", file])
        #expect(applied.status == 0, "\(applied.all)")
        for name in fleet.names { #expect(applied.output.contains("[\(name)] applied: 1 of 1 writes sent, 10 credits moved")) }
        #expect(applied.output.contains("applied: 3 of 3 writes sent, 30 credits moved"), "\(applied.output)")
        let after = try fleet.credits(of: 1)
        for name in fleet.names { #expect(after[name] == before[name].map { $0 + 10 }, "\(name): \(after)") }

        let rows = try fleet.audit().filter { ($0["mode"] as? String) == "apply" }
        #expect(rows.compactMap { $0["panel"] as? String }.sorted() == fleet.names)

        let again = try nightshift(fleet, ["apply", file])
        #expect(again.status == 2, "\(again.all)")
        #expect(again.error.contains("was applied"), "\(again.error)")
        #expect(try fleet.credits(of: 1) == after)
    }

    @Test("a balance changed on one panel refuses the fleet plan naming that panel, and nothing reaches any panel")
    func driftOnOnePanel() throws {
        let fleet = try fleet()
        defer { fleet.stop() }
        let script = try fleet.script("topup.lua", Self.topUp)
        let file = fleet.folder + "/fleet.plan"
        #expect(try nightshift(fleet, ["plan", script, "--panels", "all", "--out", file, "--as", "alice"] + Self.grant).status == 0)
        #expect(try nightshift(fleet, ["approve", file, "--key", fleet.folder + "/bob.key"]).status == 0)
        let changed = try fleet.run(try fleet.script("change.lua", "resellers.add_credits(1, 3)"), Self.grant, panels: "p2")
        #expect(changed.status == 0, "\(changed.all)")
        let before = try fleet.stats().map { $0["mutations"] }

        let refused = try nightshift(fleet, ["apply", file])
        #expect(refused.status == 2, "\(refused.all)")
        #expect(refused.error.contains("nothing was sent to any panel"), "\(refused.error)")
        #expect(refused.error.contains("[p2] "), "\(refused.error)")
        #expect(!refused.error.contains("[p1] ") && !refused.error.contains("[p3] "), "\(refused.error)")
        #expect(try fleet.stats().map { $0["mutations"] } == before)
    }

    @Test("a fleet plan refuses --await-approval, apply of one refuses --panel (the plan names its panels), and a rejected one is never applied")
    func refusedFlags() throws {
        let fleet = try fleet()
        defer { fleet.stop() }
        let script = try fleet.script("topup.lua", Self.topUp)
        let waiting = try nightshift(fleet, ["plan", script, "--panels", "all", "--await-approval", "1h"] + Self.grant)
        #expect(waiting.status == 64, "\(waiting.all)")
        #expect(waiting.error.contains("--await-approval waits for one panel's plan"), "\(waiting.error)")
        let file = fleet.folder + "/fleet.plan"
        #expect(try nightshift(fleet, ["plan", script, "--panels", "all", "--out", file] + Self.grant).status == 0)
        let onePanel = try nightshift(fleet, ["apply", file, "--panel", "p1"])
        #expect(onePanel.status == 64, "\(onePanel.all)")
        #expect(onePanel.error.contains("is a fleet plan for p1, p2, p3"), "\(onePanel.error)")
        let rejected = try nightshift(fleet, ["reject", file, "--reason", "wrong month", "--as", "bob"])
        #expect(rejected.status == 0, "\(rejected.all)")
        #expect(try nightshift(fleet, ["approve", file, "--key", fleet.folder + "/bob.key"]).status == 2)
        let afterRejection = try nightshift(fleet, ["apply", file])
        #expect(afterRejection.status == 2, "\(afterRejection.all)")
        #expect(afterRejection.error.contains("rejected by bob"), "\(afterRejection.error)")
        #expect(try fleet.stats().allSatisfy { $0["mutations"] == 0 })
    }
}
