import Foundation
import Testing

@Suite("scripts/: the example automation scripts against the emulator", .serialized)
struct ScriptsEndToEndTests {
    static func path(_ name: String) -> String { Nightshift.packageRoot + "/scripts/" + name }
    /// The examples share scripts/lib/common.lua.
    static let modules = ["--module-path", Nightshift.packageRoot + "/scripts/lib"]

    @Test("topup.lua tops up only paying resellers below the threshold, as planned in its dry-run")
    func topup() throws {
        let panel = try knownPanel()
        defer { panel.stop() }
        let flags = ["--arg", "threshold=50", "--arg", "amount=30", "--allow", "resellers.list", "--allow", "resellers.add_credits", "--max-credits", "100"]
        let plan = try panel.run(Self.path("topup.lua"), Self.modules + ["--dry-run"] + flags)
        #expect(plan.status == 0, "\(plan.all)")
        #expect(plan.output.contains("1. resellers.add_credits  bob (id 2)  credits 5 -> 35 (+30)"), "\(plan.output)")
        #expect(!plan.output.contains("2."))
        let live = try panel.run(Self.path("topup.lua"), Self.modules + flags)
        #expect(live.status == 0, "\(live.all)")
        #expect(try panel.credits() == ["alice": 100, "bob": 35, "carol": 0])
    }

    @Test("onboard.lua creates the new resellers with their credits and skips existing ones")
    func onboard() throws {
        let panel = try knownPanel()
        defer { panel.stop() }
        let result = try panel.run(Self.path("onboard.lua"), Self.modules + [
            "--arg", "names=dave,alice,erin", "--arg", "credits=40", "--arg", "connections=3",
            "--allow", "resellers.list", "--allow", "resellers.new", "--max-credits", "80",
        ])
        #expect(result.status == 0, "\(result.all)")
        #expect(result.output.contains("2 created, 1 skipped"))
        #expect(try panel.credits() == ["alice": 100, "bob": 5, "carol": 0, "dave": 40, "erin": 40])
    }

    @Test("report.lua totals the credits and lists the resellers below the threshold, reading only")
    func report() throws {
        let panel = try knownPanel()
        defer { panel.stop() }
        let result = try panel.run(Self.path("report.lua"), Self.modules + ["--arg", "format=json", "--arg", "low=50"])
        #expect(result.status == 0, "\(result.all)")
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(object?["total_credits"] as? Int == 105)
        #expect(object?["paying"] as? Int == 2)
        let below = (object?["below_threshold"] as? [[String: Any]])?.compactMap { $0["username"] as? String }
        #expect(below == ["bob"])
    }

    @Test("connections.lua changes only the resellers whose limit breaks the rule")
    func connections() throws {
        let panel = try knownPanel()
        defer { panel.stop() }
        let result = try panel.run(Self.path("connections.lua"), Self.modules + [
            "--arg", "per=20", "--arg", "min=1", "--arg", "max=10", "--allow", "resellers.list", "--allow", "resellers.update",
        ])
        #expect(result.status == 0, "\(result.all)")
        #expect(result.output.contains("carol (id 3): 50 -> 1 connections"))
        #expect(result.output.contains("1 changed, 2 already in line"))
        let check = try panel.script("limits.lua", "for _, r in ipairs(resellers.list()) do print(r.username, r.max_allowed_connections) end")
        #expect(try panel.run(check).output == "alice\t5\nbob\t1\ncarol\t1\n")
    }
}
