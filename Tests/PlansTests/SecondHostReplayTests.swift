import Foundation
import NightshiftConfig
import NightshiftCore
import Operations
import OperationsFull
import Plans
import RunRecords
import Scheduler
import SharedRecords
import TestScratch
import Testing

/// A plan applied on one host, replayed on another that shares the records in PostgreSQL
/// (`scripts/with-postgres` sets NIGHTSHIFT_TEST_POSTGRES and PGPASSWORD).
@Suite("hostile plans: a replay on a second host sharing PostgreSQL")
struct SecondHostReplayTests {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "this test needs PostgreSQL: run it as `scripts/with-postgres swift test --filter SecondHostReplayTests`"
        }
    }

    func shared() async throws -> SharedRecordsStore {
        guard let url = ProcessInfo.processInfo.environment["NIGHTSHIFT_TEST_POSTGRES"], !url.isEmpty else { throw Missing() }
        return try await SharedRecordsStore.open(
            SharedRecordsSettings(location: try PostgresLocation(url: url)),
            password: ProcessInfo.processInfo.environment["PGPASSWORD"], timeout: .seconds(120))
    }

    @Test("applied on host A, the same file on host B (its own audit log) is refused as used, naming host A, and sends nothing")
    func replayOnSecondHost() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        let storeA = try await shared()
        let storeB = try await shared()
        let applyA = PlanApply(
            plan: plan, path: f.folder + "/plan.json", client: f.client, panelURL: PlanFixture.url, audit: f.audit,
            shared: storeA, approvals: f.approvals, actor: "operator", host: "host-a")
        try await applyA.check()
        let outcome = try await applyA.send()
        #expect(outcome.state == "applied")
        let sentByA = f.transport.writesSent.count

        let auditB = try AuditLog(path: try Scratch.folder("host-b") + "/audit.sqlite", host: "host-b")
        let applyB = PlanApply(
            plan: plan, path: f.folder + "/plan.json", client: f.client, panelURL: PlanFixture.url, audit: auditB,
            shared: storeB, approvals: f.approvals, actor: "operator", host: "host-b")
        let refusal = await #expect(throws: PlanRefusal.self) { try await applyB.check() }
        #expect(refusal?.check == .used)
        #expect(refusal?.description.contains("the plan \(plan.id) was applied at") == true)
        #expect(refusal?.description.contains("on host-a") == true, "\(String(describing: refusal))")
        // Past the check too: the claim in PostgreSQL refuses a second host that races it.
        let raced = await #expect(throws: PlanRefusal.self) { _ = try await applyB.send() }
        #expect(raced?.check == .used)
        #expect(f.transport.writesSent.count == sentByA)
        await storeA.close()
        await storeB.close()
    }
}
