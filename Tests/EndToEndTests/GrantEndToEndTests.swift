import Foundation
import Testing

@Suite("nightshift run: grants and credit caps, end to end", .serialized)
struct GrantEndToEndTests {
    static let calls: [(function: String, call: String)] = [
        ("resellers.list", "resellers.list()"),
        ("resellers.new", "resellers.new{name = 'dave'}"),
        ("resellers.update", "resellers.update(1, {max_allowed_connections = 2})"),
        ("resellers.add_credits", "resellers.add_credits(1, 0)"),
        ("panel.call", "panel.call('line', 'create', {username = 'x'})"),
    ]

    @Test("each API function is refused (exit 2, audited, nothing sent) when the grant lacks it")
    func eachRefusal() throws {
        let panel = try knownPanel()
        defer { panel.stop() }
        let before = try panel.snapshot()
        for (function, call) in Self.calls {
            let others = Self.calls.map(\.function).filter { $0 != function }.flatMap { ["--allow", $0] }
            let script = try panel.script("call.lua", call)
            let result = try panel.run(script, others + ["--max-credits", "100"])
            #expect(result.status == 2, "\(function): \(result.all)")
            #expect(result.error.contains("\(function) is not granted"), "\(function): \(result.error)")
        }
        #expect(try panel.snapshot() == before)
    }

    @Test("reads only is the default grant")
    func defaultReadsOnly() throws {
        let panel = try knownPanel()
        defer { panel.stop() }
        let script = try panel.script("give.lua", "resellers.add_credits(1, 1)")
        let result = try panel.run(script)
        #expect(result.status == 2)
        #expect(result.error.contains("resellers.add_credits is not granted"))
    }

    @Test("a run cap reached half-way: earlier writes done and audited, the one over refused, nothing after sent")
    func runCapHalfWay() throws {
        let panel = try knownPanel()
        defer { panel.stop() }
        let script = try panel.script("loop.lua", "for _, id in ipairs{1, 2, 3, 1} do pcall(resellers.add_credits, id, 10) end")
        let result = try panel.run(script, ["--allow", "resellers.add_credits", "--max-credits", "25"])
        #expect(result.status == 2, "\(result.all)")
        #expect(result.error.contains("would pass the run's cap of 25"))
        let credits = try panel.credits()
        #expect(credits == ["alice": 110, "bob": 15, "carol": 0])
        let audit = try panel.audit(["--run", try #require(Panel.runID(result))])
        let outcomes = audit.output.split(separator: "\n").filter { $0.hasPrefix("20") }.map { $0.split(separator: " ", omittingEmptySubsequences: true)[3] }
        #expect(outcomes == ["done", "done", "refused"])
    }

    @Test("the per-reseller cap refuses the second top-up of one reseller")
    func perResellerCap() throws {
        let panel = try knownPanel()
        defer { panel.stop() }
        let script = try panel.script("twice.lua", "resellers.add_credits('alice', 8) resellers.add_credits(1, 8)")
        let result = try panel.run(script, ["--allow", "resellers.add_credits", "--max-credits", "100", "--max-credits-per-reseller", "10"])
        #expect(result.status == 2)
        #expect(result.error.contains("per-reseller cap of 10"))
        #expect(try panel.credits()["alice"] == 108)
    }

    @Test("credits given by new and set by update count against the cap")
    func newAndUpdateCapped() throws {
        let panel = try knownPanel()
        defer { panel.stop() }
        let create = try panel.script("new.lua", "resellers.new{name = 'dave', credits = 50}")
        #expect(try panel.run(create, ["--allow", "resellers.new", "--max-credits", "49"]).status == 2)
        let update = try panel.script("update.lua", "resellers.update('carol', {credits = 40})")
        #expect(try panel.run(update, ["--allow", "resellers.update", "--max-credits", "39"]).status == 2)
        #expect(try panel.run(update, ["--allow", "resellers.update", "--max-credits", "40"]).status == 0)
        #expect(try panel.credits()["carol"] == 40)
        #expect(try panel.credits()["dave"] == nil)
    }

    @Test("a script whose declaration exceeds the grant does not start")
    func declarationRefused() throws {
        let panel = try knownPanel()
        defer { panel.stop() }
        let script = try panel.script("declared.lua", "-- nightshift: allow resellers.add_credits\n-- nightshift: max-credits 500\nprint('started')")
        let result = try panel.run(script, ["--allow", "resellers.add_credits", "--max-credits", "100"])
        #expect(result.status == 2)
        #expect(!result.output.contains("started"))
        #expect(result.error.contains("--max-credits 500"))
    }
}
