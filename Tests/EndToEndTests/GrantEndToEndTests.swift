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
        try withKnownPanel { panel in
            let before = try panel.snapshot()
            for (function, call) in Self.calls {
                let others = Self.calls.map(\.function).filter { $0 != function }.flatMap { ["--allow", $0] }
                try panel.expectRefused(
                    "call.lua", source: call, others + ["--max-credits", "100"], saying: "\(function) is not granted")
            }
            #expect(try panel.snapshot() == before)
        }
    }

    @Test("reads only is the default grant")
    func defaultReadsOnly() throws {
        try withKnownPanel { panel in
            try panel.expectRefused("give.lua", source: "resellers.add_credits(1, 1)", saying: "resellers.add_credits is not granted")
        }
    }

    @Test("a run cap reached half-way: earlier writes done and audited, the one over refused, nothing after sent")
    func runCapHalfWay() throws {
        try withKnownPanel { panel in
            let result = try panel.expectRefused(
                "loop.lua", source: "for _, id in ipairs{1, 2, 3, 1} do pcall(resellers.add_credits, id, 10) end",
                ["--allow", "resellers.add_credits", "--max-credits", "25"], saying: "would pass the run's cap of 25")
            let credits = try panel.credits()
            #expect(credits == ["alice": 110, "bob": 15, "carol": 0])
            let audit = try panel.audit(["--run", try #require(Panel.runID(result))])
            let outcomes = audit.output.split(separator: "\n").filter { $0.hasPrefix("20") }.map { $0.split(separator: " ", omittingEmptySubsequences: true)[3] }
            #expect(outcomes == ["done", "done", "refused"])
        }
    }

    @Test("the per-reseller cap refuses the second top-up of one reseller")
    func perResellerCap() throws {
        try withKnownPanel { panel in
            try panel.expectRefused(
                "twice.lua", source: "resellers.add_credits('alice', 8) resellers.add_credits(1, 8)",
                ["--allow", "resellers.add_credits", "--max-credits", "100", "--max-credits-per-reseller", "10"],
                saying: "per-reseller cap of 10")
            #expect(try panel.credits()["alice"] == 108)
        }
    }

    @Test("credits given by new and set by update count against the cap")
    func newAndUpdateCapped() throws {
        try withKnownPanel { panel in
            try panel.run(
                "new.lua", source: "resellers.new{name = 'dave', credits = 50}", ["--allow", "resellers.new", "--max-credits", "49"],
                expecting: 2)
            let update = try panel.script("update.lua", "resellers.update('carol', {credits = 40})")
            #expect(try panel.run(update, ["--allow", "resellers.update", "--max-credits", "39"]).status == 2)
            #expect(try panel.run(update, ["--allow", "resellers.update", "--max-credits", "40"]).status == 0)
            #expect(try panel.credits()["carol"] == 40)
            #expect(try panel.credits()["dave"] == nil)
        }
    }

    @Test("a script whose declaration exceeds the grant does not start")
    func declarationRefused() throws {
        try withKnownPanel { panel in
            let declared = """
                -- nightshift: allow resellers.add_credits
                -- nightshift: max-credits 500
                print('started')
                """
            let result = try panel.expectRefused(
                "declared.lua", source: declared, ["--allow", "resellers.add_credits", "--max-credits", "100"],
                saying: "--max-credits 500")
            #expect(!result.output.contains("started"))
        }
    }
}
