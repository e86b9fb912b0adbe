import LuaHost
import PanelAPI
import Testing

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

@Suite("grants and credit caps")
struct GrantTests {
    /// Runs `source` on a fresh harness under `grant` and expects the run refused.
    func refused(
        _ source: String, grant: Grant = Grant(), sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (Harness, RunResult) {
        let h = try await Harness.make()
        return (h, try await h.run(source, grant: grant, expecting: .refused, sourceLocation: sourceLocation))
    }

    @Test("a write not granted is refused before sending, audited as refused, and pcall cannot catch it")
    func notGranted() async throws {
        let (h, result) = try await refused("pcall(resellers.add_credits, 1, 5) resellers.list() print('after')")
        #expect(result.errorKind == "not granted")
        #expect(h.transport.sent.isEmpty)
        let writes = try h.writes(result.runID)
        #expect(writes.map(\.outcome) == [AuditOutcome.refused])
        #expect(result.output.isEmpty)
    }

    @Test("the run cap reached half-way: earlier writes done and audited, the one over refused, nothing after sent")
    func runCapHalfWay() async throws {
        let (h, result) = try await refused(
            "for i = 1, 5 do pcall(resellers.add_credits, 1, 10) end", grant: writeGrant(.resellersAddCredits, max: 25))
        #expect(result.errorKind == "credit cap")
        #expect(h.transport.writesSent.count == 2)
        #expect(try await h.credits("alice") == 120)
        #expect(try h.writes(result.runID).map(\.outcome) == [AuditOutcome.done, AuditOutcome.done, AuditOutcome.refused])
    }

    @Test("the per-reseller cap counts a reseller named by id and by username together")
    func perResellerCapAcrossNames() async throws {
        let (h, _) = try await refused(
            "resellers.add_credits(2, 6) resellers.add_credits('bob', 6)",
            grant: writeGrant(.resellersAddCredits, max: 100, perReseller: 10))
        #expect(try await h.credits("bob") == 11)
    }

    @Test("credits given by new count against the run cap")
    func newCountsAgainstCap() async throws {
        let (h, _) = try await refused("resellers.new{name='dave', credits=50}", grant: writeGrant(.resellersNew, max: 40))
        #expect(h.transport.writesSent.isEmpty)
    }

    @Test("an update's credit change is measured against the panel's current value")
    func updateMeasuredAgainstPanel() async throws {
        // alice has 100: setting 130 moves 30 (allowed by a cap of 30), setting 70 after that moves 60 more.
        let (h, result) = try await refused(
            "resellers.update(1, {credits = 130}) resellers.update(1, {credits = 70})", grant: writeGrant(.resellersUpdate, max: 30))
        #expect(try await h.credits("alice") == 130)
        let writes = try h.writes(result.runID)
        #expect(writes.map(\.creditChange) == [30, -60])
    }

    @Test("the default grant allows no credit change even when the function is allowed")
    func defaultCapIsZero() async throws {
        let (h, result) = try await refused(
            "resellers.add_credits(1, 1)", grant: Grant(allowed: [.resellersAddCredits], maxCredits: 0))
        #expect(result.error?.contains("--max-credits") == true)
        #expect(h.transport.sent.isEmpty)
    }

    @Test("a declaration that exceeds the grant stops the run before any call")
    func declarationExceeds() async throws {
        let (h, result) = try await refused(
            "-- nightshift: allow resellers.list, resellers.add_credits\n-- nightshift: max-credits 100\nresellers.list()",
            grant: writeGrant(.resellersAddCredits, max: 50))
        #expect(result.error?.contains("--max-credits 100") == true)
        #expect(h.transport.sent.isEmpty)
    }

    @Test("the ledger refuses a change that would overflow")
    func ledgerOverflow() {
        var ledger = CreditLedger(grant: Grant(allowed: [], maxCredits: Int.max))
        ledger.commit(Int.max, reseller: "id:1")
        #expect(throws: CreditLedger.Refusal.self) { try ledger.check(1, reseller: "id:2") }
        #expect(throws: CreditLedger.Refusal.self) { try CreditLedger(grant: Grant(maxCredits: 10)).check(Int.min, reseller: "x") }
    }
}
