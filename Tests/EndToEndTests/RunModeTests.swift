import Foundation
import Testing
import TestScratch

@Suite("nightshift run: modes, end to end", .serialized)
struct RunModeTests {
    @Test("live mode sends the write, and audit shows it done")
    func live() throws {
        try withKnownPanel { panel in
            let result = try panel.run(
                "give.lua", source: "resellers.add_credits('bob', 20)", ["--allow", "resellers.add_credits", "--max-credits", "20"],
                expecting: 0)
            #expect(try panel.credits()["bob"] == 25)
            let audit = try panel.auditJSON(of: result)
            #expect(audit.contains("\"outcome\":\"done\""))
            #expect(audit.contains("\"parameters\":\"resellers.add_credits username=bob&credits=20\""))
        }
    }

    @Test("dry-run prints the plan with credits before and after and changes nothing")
    func dryRun() throws {
        try withKnownPanel { panel in
            let before = try panel.snapshot()
            let result = try panel.run(
                "give.lua", source: "resellers.add_credits('bob', 20) resellers.update(1, {credits = 150})",
                ["--dry-run", "--allow", "resellers.*", "--max-credits", "100"], expecting: 0)
            #expect(result.output.contains("1. resellers.add_credits  bob (id 2)  credits 5 -> 25 (+20)"), "\(result.output)")
            #expect(result.output.contains("2. resellers.update  alice (id 1)  credits 100 -> 150 (+50)"), "\(result.output)")
            #expect(try panel.snapshot() == before)
        }
    }

    @Test("confirm mode sends only the writes answered yes")
    func confirm() throws {
        try withKnownPanel { panel in
            let result = try panel.run(
                "two.lua", source: "resellers.add_credits(1, 1) pcall(resellers.add_credits, 2, 1)",
                ["--confirm", "--allow", "resellers.add_credits", "--max-credits", "5"], input: "y\nn\n", expecting: 0)
            let credits = try panel.credits()
            #expect(credits["alice"] == 101)
            #expect(credits["bob"] == 5)
            #expect(try panel.auditJSON(of: result).contains("\"outcome\":\"declined\""))
        }
    }

    @Test("dry-run sends no write by any path: <close> handlers, error objects' tostring, pcall, a failing end")
    func dryRunNoPath() throws {
        try withKnownPanel { panel in
            let before = try panel.snapshot()
            let source = """
                local a <close> = setmetatable({}, {__close = function() resellers.add_credits(1, 1) end})
                local ok = pcall(function()
                  local b <close> = setmetatable({}, {__close = function() resellers.new{name = 'mallory', credits = 1} end})
                  error("inner")
                end)
                pcall(panel.call, 'line', 'create', {username = 'x'})
                resellers.update('bob', {max_allowed_connections = 99})
                error(setmetatable({}, {__tostring = function() resellers.add_credits(2, 1) return "outer" end}))
                """
            let result = try panel.run("sneaky.lua", source: source, ["--dry-run", "--max-credits", "10"] + allWrites, expecting: 1)
            #expect(try panel.snapshot() == before)
            #expect(!(try panel.auditJSON(of: result).contains("\"mode\":\"live\"")))
        }
    }

    @Test("--emulator runs a script against the built-in emulator with seeded resellers")
    func builtInEmulator() throws {
        let folder = Scratch.path("nightshift-e2e")
        let result = try Nightshift.run([
            "run", Nightshift.packageRoot + "/scripts/topup.lua", "--emulator", "--dry-run", "--state", folder,
            "--allow", "resellers.list", "--allow", "resellers.add_credits", "--max-credits", "5000",
            "--module-path", Nightshift.packageRoot + "/scripts/lib",
        ])
        #expect(result.status == 0, "\(result.all)")
        #expect(result.output.contains("Plan (dry-run, nothing was sent)"))
    }

    @Test("--json prints one object with the status, plan and exit code")
    func jsonOutput() throws {
        try withKnownPanel { panel in
            let result = try panel.run(
                "give.lua", source: "print('hi') resellers.add_credits(1, 3)",
                ["--json", "--dry-run", "--allow", "resellers.add_credits", "--max-credits", "3"], expecting: 0)
            let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            #expect(object?["status"] as? String == "succeeded")
            #expect(object?["exit_code"] as? Int == 0)
            #expect((object?["plan"] as? [Any])?.count == 1)
            #expect(object?["output"] as? String == "hi\n")
        }
    }
}
