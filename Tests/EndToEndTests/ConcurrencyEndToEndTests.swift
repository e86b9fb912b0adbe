import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestScratch

/// `tasks.map` against `nightshift emulator` over HTTP with latency: many writes in flight,
/// the panel refusing some, flooding, and the caps and audit log exact.
@Suite("nightshift run: concurrent writes over HTTP", .serialized)
struct ConcurrencyEndToEndTests {
    /// Every audit row of the run, as JSON objects.
    func auditRows(_ panel: Panel, _ result: Nightshift.Result) throws -> [[String: Any]] {
        let audit = try panel.audit(["--run", try #require(Panel.runID(result)), "--json", "--limit", "100000"])
        return try #require(try JSONSerialization.jsonObject(with: Data(audit.output.utf8)) as? [[String: Any]])
    }

    /// The emulator's counters (`/_emulator/stats`).
    func stats(_ panel: Panel) throws -> [String: Int] {
        let data = try Data(contentsOf: URL(string: panel.url + "_emulator/stats")!)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Int])
    }

    static let topUpAll = """
        local ids = {}
        for id = 1, tonumber(args.n) do ids[id] = id end
        local out = tasks.map(ids, function(id) resellers.add_credits(id, 1) end, {errors = "collect"})
        local done = 0
        for _, r in ipairs(out) do if r.ok then done = done + 1 end end
        print("done " .. done)
        """

    @Test("1,000 writes at concurrency 32, 10% refused at random: the cap holds and every credit is in the audit log")
    func refusalsAndCaps() throws {
        let panel = try Panel(seed: 1000, extra: ["--latency-ms", "20", "--latency-jitter-ms", "20", "--refusal-rate", "0.1"])
        defer { panel.stop() }
        let before = try panel.credits()
        let script = try panel.script("all.lua", Self.topUpAll)
        let result = try panel.run(script, [
            "--arg", "n=1000", "--concurrency", "32", "--allow", "resellers.add_credits", "--max-credits", "950",
            "--timeout", "2m",
        ])
        let after = try panel.credits()
        let moved = after.keys.reduce(0) { $0 + (after[$1]! - (before[$1] ?? 0)) }
        let rows = try auditRows(panel, result)
        let done = rows.filter { $0["outcome"] as? String == "done" }
        let failed = rows.filter { $0["outcome"] as? String == "failed" }
        // About 100 refused by the panel: fewer than 950 done, so the cap is never reached.
        #expect(result.status == 0, "\(result.all)")
        #expect(rows.count == 1000)
        #expect(done.count + failed.count == 1000)
        #expect(failed.count > 50 && failed.count < 150, "\(failed.count) refused")
        #expect(failed.allSatisfy { ($0["answer"] as? String)?.contains("REFUSED (injected fault)") == true })
        #expect(moved == done.count, "the panel moved \(moved) credits, the audit log says \(done.count)")
        #expect(result.output.contains("done \(done.count)"))
        #expect(try stats(panel)["max_in_flight"]! <= 32)
    }

    @Test("with a cap below the work, concurrent writes stop at the cap: never past it, each credit audited")
    func capStopsConcurrentWrites() throws {
        let panel = try Panel(seed: 300, extra: ["--latency-ms", "30", "--refusal-rate", "0.1"])
        defer { panel.stop() }
        let before = try panel.credits()
        let script = try panel.script("all.lua", Self.topUpAll)
        let result = try panel.run(script, [
            "--arg", "n=300", "--concurrency", "16", "--allow", "resellers.add_credits", "--max-credits", "100",
        ])
        #expect(result.status == 2, "\(result.all)")
        #expect(result.error.contains("would pass the run's cap of 100"), "\(result.error)")
        let after = try panel.credits()
        let moved = after.keys.reduce(0) { $0 + (after[$1]! - (before[$1] ?? 0)) }
        let done = try auditRows(panel, result).filter { $0["outcome"] as? String == "done" }.count
        #expect(moved <= 100)
        #expect(moved == done)
    }

    @Test("the emulator never has more requests in flight than --concurrency, and has that many")
    func highWaterMark() throws {
        let panel = try Panel(seed: 200, extra: ["--latency-ms", "30"])
        defer { panel.stop() }
        let script = try panel.script("all.lua", Self.topUpAll)
        let result = try panel.run(script, [
            "--arg", "n=200", "--concurrency", "8", "--allow", "resellers.add_credits", "--max-credits", "1000",
        ])
        #expect(result.status == 0, "\(result.all)")
        let stats = try stats(panel)
        #expect(stats["max_in_flight"] == 8, "\(stats)")
    }

    @Test("against a flood-protected emulator, every write is done once and reads are retried: nothing lost")
    func floodProtection() throws {
        let panel = try Panel(seed: 150, extra: ["--latency-ms", "10", "--max-requests-per-second", "60"])
        defer { panel.stop() }
        let before = try panel.credits()
        let script = try panel.script(
            "flood.lua",
            """
            local rows = tasks.map({1, 2, 3, 4, 5, 6, 7, 8}, function() return #resellers.list() end)
            for _, n in ipairs(rows) do assert(n == 150) end
            local ids = {}
            for id = 1, 150 do ids[id] = id end
            tasks.map(ids, function(id) resellers.add_credits(id, 2) end, {concurrency = 16})
            """)
        let result = try panel.run(script, [
            "--concurrency", "16", "--allow", "resellers.list", "--allow", "resellers.add_credits", "--max-credits", "1000",
            "--timeout", "1m",
        ])
        #expect(result.status == 0, "\(result.all)")
        let after = try panel.credits()
        #expect(after.keys.allSatisfy { after[$0]! - (before[$0] ?? 0) == 2 })
        let rows = try auditRows(panel, result)
        #expect(rows.count == 150 && rows.allSatisfy { $0["outcome"] as? String == "done" })
        #expect(try stats(panel)["rejected_429"]! > 0, "the flood protection never answered 429: the test proves nothing")
    }

    @Test("a write whose answer is lost mid-flight stops the run: nothing new is sent, the others in flight are audited as answered")
    func outcomeUnknownOverHTTP() throws {
        let panel = try Panel(seed: 200, extra: ["--latency-ms", "50", "--drop-rate", "0.05", "--fault-seed", "7"])
        defer { panel.stop() }
        let before = try panel.credits()
        let requestsBefore = try stats(panel)["requests"]!
        let script = try panel.script("all.lua", Self.topUpAll)
        let result = try panel.run(script, [
            "--arg", "n=200", "--concurrency", "8", "--allow", "resellers.add_credits", "--max-credits", "1000",
        ])
        #expect(result.status == 4, "\(result.all)")
        let rows = try auditRows(panel, result)
        let outcomes = rows.compactMap { $0["outcome"] as? String }
        let done = outcomes.filter { $0 == "done" }.count
        let unknown = outcomes.filter { $0 == "outcome unknown" }.count
        let unsent = rows.filter { ($0["answer"] as? String)?.contains("nothing was sent") == true }.count
        #expect(unknown >= 1)
        #expect(done + unknown + unsent == rows.count, "\(outcomes)")
        // Every request the panel saw is a write that is done or unknown: none was sent after the stop.
        #expect(try stats(panel)["requests"]! - requestsBefore == done + unknown)
        // A dropped answer came after the change was applied: the panel moved done + unknown credits.
        let after = try panel.credits()
        #expect(after.keys.reduce(0) { $0 + (after[$1]! - (before[$1] ?? 0)) } == done + unknown)
        #expect(done < 200)
    }

    @Test("an unreachable panel fails the run before its deadline, naming the cause")
    func unreachable() throws {
        let folder = Scratch.path("nightshift-e2e")
        let script = folder + ".lua"
        try "resellers.list()".write(toFile: script, atomically: true, encoding: .utf8)
        let result = try Nightshift.run(
            ["run", script, "--panel", "http://127.0.0.1:1/", "--state", folder, "--timeout", "8s"],
            environment: ["NIGHTSHIFT_API_KEY": Panel.key])
        // Failed (exit code 1) on the refused connection, not timed out (3) at the 8 s deadline.
        #expect(result.status == 1, "\(result.all)")
        #expect(result.error.contains("panel unreachable: connection refused (127.0.0.1:1)"), "\(result.error)")
        #expect(!result.error.contains("time limit"), "\(result.error)")
    }
}
