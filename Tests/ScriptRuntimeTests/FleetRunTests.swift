import Foundation
import NightshiftConfig
import PanelAPI
import PanelEmulator
import RunRecords
import Testing

@testable import ScriptAPI
@testable import ScriptRuntime

@Suite("runs as panels of a fleet: panel.name, records, the shared credit cap")
struct FleetRunTests {
    @Test("scripts read the run's panel as panel.name; the run record and its writes keep it, and the fleet's id")
    func panelName() async throws {
        let h = try await Harness.make()
        let fleet = FleetLedger(id: "f1e2d3c4b5a6", cap: nil)
        let result = try await h.run(
            "assert(panel.name == 'eu', panel.name) resellers.add_credits(1, 1) print(panel.name)",
            grant: writeGrant(.resellersAddCredits, max: 1), panel: "eu", fleet: fleet, expecting: .succeeded)
        #expect(result.output == "eu\n")
        #expect(try h.writes(result.runID).map(\.panel) == ["eu"])
        let record = try #require(try h.audit.runs().first { $0.id == result.runID })
        #expect(record.panel == "eu")
        #expect(record.fleet == "f1e2d3c4b5a6")
        let alone = try await h.run("print(panel.name)", expecting: .succeeded)
        #expect(alone.output == "default\n")
        #expect(try h.audit.runs().first { $0.id == alone.runID }?.fleet == nil)
    }

    @Test("two panels' runs at once on one fleet cap of 25: exactly two writes of 10 are sent, every other one refused")
    func sharedCap() async throws {
        let eu = try await Harness.make()
        let us = try await Harness.make()
        let fleet = FleetLedger(id: "f1", cap: 25)
        let script = "for _ = 1, 3 do resellers.add_credits(1, 10) end"
        let grant = writeGrant(.resellersAddCredits, max: 100)
        async let first = eu.run(script, grant: grant, panel: "eu", fleet: fleet)
        async let second = us.run(script, grant: grant, panel: "us", fleet: fleet)
        let results = try await [first, second]
        #expect(results.map(\.status) == [.refused, .refused])
        #expect(eu.transport.writesSent.count + us.transport.writesSent.count == 2)
        #expect(try await eu.credits("alice")! + us.credits("alice")! == 220)
        #expect(fleet.total == 20)
        let refusals = try eu.writes(results[0].runID) + us.writes(results[1].runID)
        let refused = refusals.filter { $0.outcome == AuditOutcome.refused }
        #expect(refused.count == 2)
        #expect(refused.allSatisfy {
            $0.answer?.contains("a change of 10 credits would pass the fleet's cap of 25 (--max-credits-total; 20 moved across the fleet so far)") == true
        })
    }

    @Test("a write the panel refuses gives its credits back to the fleet")
    func refusedWriteReleases() async throws {
        let h = try await Harness.make(faults: FaultPlan(refusalRate: 1))
        let fleet = FleetLedger(id: "f1", cap: 10)
        let result = try await h.run(
            "for _ = 1, 3 do assert(not pcall(resellers.add_credits, 1, 10)) end", grant: writeGrant(.resellersAddCredits, max: 100),
            fleet: fleet, expecting: .succeeded)
        #expect(fleet.total == 0)
        #expect(try h.writes(result.runID).map(\.outcome) == Array(repeating: AuditOutcome.failed, count: 3))
    }

    @Test("a fleet dry-run plans against the shared cap as a live run would, and sends no write")
    func dryRunCap() async throws {
        let h = try await Harness.make()
        let fleet = FleetLedger(id: "f1", cap: 15)
        let result = try await h.run(
            "resellers.add_credits(1, 10) resellers.add_credits(2, 10)", grant: writeGrant(.resellersAddCredits, max: 100),
            mode: .dryRun, fleet: fleet, expecting: .refused)
        #expect(h.transport.writesSent.isEmpty)
        #expect(result.plan.count == 1)
        #expect(result.errorKind == "credit cap")
    }

    @Test("the fleet ledger, reserved from eight threads at once, never passes its cap and grants it exactly")
    func ledgerUnderContention() async {
        let fleet = FleetLedger(id: "f", cap: 250)
        let granted = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var count = 0
                    for _ in 0..<100 where (try? fleet.reserve(1)) != nil { count += 1 }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(granted == 250)
        #expect(fleet.total == 250)
        #expect(throws: FleetLedger.Refusal(change: -1, used: 250, cap: 250)) { try fleet.reserve(-1) }
        fleet.release(-5)
        #expect(fleet.total == 245)
        #expect(throws: Never.self) { try FleetLedger(id: "g", cap: nil).reserve(Int.max) }
    }
}
