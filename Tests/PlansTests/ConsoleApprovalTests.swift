import Foundation
import NightshiftConfig
import Operations
import OperationsFull
import Plans
import RunRecords
import TestScratch
import Testing

/// Approvals given in the console: recorded in the audit log and tied to the user, with no
/// signature; what `apply` counts of them.
@Suite("console approvals: recorded, tied to the user, counted by apply")
struct ConsoleApprovalTests {
    @Test("a listed approver's console approval counts: the plan shows approved and applies")
    func counts() async throws {
        let f = try await PlanFixture.make()
        let plan = try await f.kept()
        let desk = PlanDesk(audit: f.audit, settings: f.approvals)
        #expect(try desk.entry(plan.id, now: Date())?.state == .waiting)
        try desk.approve(plan.id, as: "bob", now: Date())
        let entry = try #require(try desk.entry(plan.id, now: Date()))
        #expect(entry.state == .approved && entry.approvals == ["bob"])
        let outcome = try await f.apply(plan)
        #expect(outcome.state == "applied" && outcome.writesSent == 2)
        #expect(try desk.entry(plan.id, now: Date())?.state == .applied)
    }

    @Test("refused in the console: a user who is not an approver, the author, a second approval, a used plan")
    func refusals() async throws {
        let f = try await PlanFixture.make()
        let plan = try await f.kept()
        let desk = PlanDesk(audit: f.audit, settings: f.approvals)
        #expect(throws: PlanRefusal(.approvals, "carol is not an approver in nightshift.toml ([approvals] approvers)")) {
            try desk.approve(plan.id, as: "carol", now: Date())
        }
        #expect(throws: PlanRefusal(.approvals, "alice made this plan, and self-approval is off ([approvals] self_approval)")) {
            try desk.approve(plan.id, as: "alice", now: Date())
        }
        try desk.approve(plan.id, as: "bob", now: Date())
        #expect(throws: PlanRefusal(.approvals, "bob has already approved this plan")) {
            try desk.approve(plan.id, as: "bob", now: Date())
        }
        try desk.reject(plan.id, as: "bob", reason: "wrong month", host: "host-a", now: Date())
        #expect(try desk.entry(plan.id, now: Date())?.state == .rejected)
        let refusal = await #expect(throws: PlanRefusal.self) { _ = try await f.apply(plan) }
        #expect(refusal?.check == .used && refusal?.description.contains("rejected by bob") == true)
        #expect(f.transport.writesSent.isEmpty)
    }

    @Test("with console_approvals = false, a recorded approval does not count, and apply says why")
    func switchedOff() async throws {
        let f = try await PlanFixture.make()
        let plan = try await f.kept()
        try PlanDesk(audit: f.audit, settings: f.approvals).approve(plan.id, as: "bob", now: Date())
        var off = f.approvals
        off.consoleApprovals = false
        let apply = PlanApply(
            plan: plan, path: f.folder + "/plan.json", client: f.client, panelURL: PlanFixture.url, audit: f.audit, shared: nil,
            approvals: off, actor: "operator", host: "host-a")
        let refusal = await #expect(throws: PlanRefusal.self) { try await apply.check() }
        #expect(refusal?.check == .approvals)
        #expect(refusal?.description.contains("bob approved in the console, and [approvals] console_approvals = false") == true)
        #expect(f.transport.writesSent.isEmpty)
    }

    @Test("a console approval is tied to the digest it was given for: a plan file edited afterwards is refused, not approved")
    func tiedToDigest() async throws {
        let f = try await PlanFixture.make()
        let plan = try await f.kept()
        let desk = PlanDesk(audit: f.audit, settings: f.approvals)
        try desk.approve(plan.id, as: "bob", now: Date())
        var edited = plan
        edited.writes[0].creditChange = 2000
        edited.digest = edited.computedDigest
        try edited.write(to: f.folder + "/\(plan.id).json", replacing: true)
        #expect(try desk.entry(plan.id, now: Date())?.state == .unusable)
        let refusal = await #expect(throws: PlanRefusal.self) { _ = try await f.apply(edited) }
        #expect(refusal?.check == .approvals, "\(String(describing: refusal))")
        #expect(f.transport.writesSent.isEmpty)
    }
}
