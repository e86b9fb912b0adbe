import Foundation
import Testing

/// Review, approve, apply, with the built binary against the emulator over HTTP: the
/// walk-through of docs/plans.md.
@Suite("nightshift plan, show, approve and apply, end to end")
struct PlanEndToEndTests {
    static let topup = ["--arg", "threshold=500", "--arg", "amount=250", "--module-path", Nightshift.packageRoot + "/scripts/lib"]
    static let grant = ["--allow", "resellers.list", "--allow", "resellers.add_credits", "--max-credits", "1000"]

    /// `nightshift CMD ... --panel URL --state STATE --config CONFIG`.
    func nightshift(_ panel: Panel, _ arguments: [String], config: String) throws -> Nightshift.Result {
        try Nightshift.run(arguments + ["--panel", panel.url, "--state", panel.state, "--config", config], environment: panel.environment)
    }

    func plan(_ panel: Panel, _ out: String, config: String, extra: [String] = []) throws -> Nightshift.Result {
        try nightshift(
            panel, ["plan", Nightshift.packageRoot + "/scripts/topup.lua"] + Self.topup + Self.grant + ["--out", out, "--as", "alice"] + extra,
            config: config)
    }

    /// Changes a reseller's credits by `amount`, as someone else working in the panel would.
    func change(_ panel: Panel, _ username: String, by amount: Int) throws {
        let script = try panel.script("change.lua", "resellers.add_credits('\(username)', \(amount))")
        let result = try panel.run(script, ["--allow", "resellers.add_credits", "--max-credits", String(abs(amount))])
        #expect(result.status == 0, "\(result.all)")
    }

    @Test("the walk-through: a plan refused after two balances change, naming them; nothing reaches ultralive3; a fresh, approved plan applies exactly what it shows")
    func walkThrough() throws {
        let panel = try Panel(seed: 12)
        defer { panel.stop() }
        let folder = panel.folder

        // An approver's key and the configuration that names it.
        let keys = try Nightshift.run(["keys", "new", "bob", "--dir", folder])
        #expect(keys.status == 0, "\(keys.all)")
        let approverLine = keys.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let config = folder + "/nightshift.toml"
        try "[approvals]\nrequired = 1\napprovers = [\n  \(approverLine),\n]\n".write(toFile: config, atomically: true, encoding: .utf8)

        let before = try panel.credits()
        let writesPlan = folder + "/writes.plan"
        let readsPlan = folder + "/reads.plan"
        let made = try plan(panel, writesPlan, config: config)
        #expect(made.status == 0, "\(made.all)")
        #expect(made.output.contains("deltamedia6 (id 6)") && made.output.contains("zenhub7 (id 7)"))
        #expect(!made.output.contains("ultralive3"))
        #expect(made.error.contains("plan p-") && made.error.contains("written to \(writesPlan): 2 writes, 500 credits moved"))
        #expect(try plan(panel, readsPlan, config: config, extra: ["--bind", "reads"]).status == 0)
        let shown = try Nightshift.run(["show", writesPlan, "--state", panel.state, "--config", config])
        #expect(shown.status == 0, "\(shown.all)")
        #expect(shown.output.contains("1. resellers.add_credits  deltamedia6 (id 6)  credits \(before["deltamedia6"]!) -> \(before["deltamedia6"]! + 250) (+250)"))
        #expect(shown.output.contains("approvals: 0 of 1 needed"))

        for file in [writesPlan, readsPlan] {
            let approve = try Nightshift.run(["approve", file, "--key", folder + "/bob.key", "--state", panel.state, "--config", config])
            #expect(approve.status == 0, "\(approve.all)")
        }

        // Someone else changes two balances: deltamedia6 rises above the threshold, ultralive3 falls below.
        try change(panel, "deltamedia6", by: 200)
        let ultraBefore = try panel.credits()["ultralive3"]!
        try change(panel, "ultralive3", by: -(ultraBefore - 300))

        let refused = try nightshift(panel, ["apply", writesPlan], config: config)
        #expect(refused.status == 2)
        #expect(refused.error.contains("deltamedia6 (id 6): credits were \(before["deltamedia6"]!) when planned, now \(before["deltamedia6"]! + 200)"))
        #expect(!refused.error.contains("ultralive3"))
        let refusedReads = try nightshift(panel, ["apply", readsPlan], config: config)
        #expect(refusedReads.status == 2)
        #expect(refusedReads.error.contains("deltamedia6 (id 6): credits were"))
        #expect(refusedReads.error.contains("ultralive3 (id 3): credits were \(ultraBefore) when planned, now 300"))
        let afterRefusals = try panel.credits()
        #expect(afterRefusals["ultralive3"] == 300 && afterRefusals["zenhub7"] == before["zenhub7"])

        // A fresh plan shows what the panel now needs; approved, it applies exactly that.
        let fresh = folder + "/fresh.plan"
        let remade = try plan(panel, fresh, config: config)
        #expect(remade.output.contains("ultralive3 (id 3)") && remade.output.contains("zenhub7 (id 7)"))
        #expect(!remade.output.contains("deltamedia6"))
        #expect(try Nightshift.run(["approve", fresh, "--key", folder + "/bob.key", "--state", panel.state, "--config", config]).status == 0)
        let applied = try nightshift(panel, ["apply", fresh, "--as", "carol"], config: config)
        #expect(applied.status == 0, "\(applied.all)")
        #expect(applied.output.contains("applied: 2 of 2 writes sent, 500 credits moved"))
        let after = try panel.credits()
        #expect(after["ultralive3"] == 550 && after["zenhub7"] == before["zenhub7"]! + 250)
        #expect(after["deltamedia6"] == before["deltamedia6"]! + 200)
        let again = try nightshift(panel, ["apply", fresh], config: config)
        #expect(again.status == 2 && again.error.contains("was applied at"))
    }
}
