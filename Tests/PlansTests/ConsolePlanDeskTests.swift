import Console
import Foundation
import Operations
import OperationsFull
import Plans
import RunRecords
import Testing

/// The console's Plans page reads `PlanDesk` through `ConsolePlanDesk`: each kept plan as
/// `nightshift show` prints it, and approvals and rejections recorded as the console user's.
@Suite("the console's plan desk")
struct ConsolePlanDeskTests {
    @Test("a kept plan shows its state and the review nightshift show prints; an approval as bob counts and applies")
    func reviewAndApprove() async throws {
        let f = try await PlanFixture.make()
        let plan = try await f.kept()
        let console = ConsolePlanDesk(desk: PlanDesk(audit: f.audit, settings: f.approvals), host: "host-a")
        let listed = try await console.plans(now: Date(), limit: 10)
        #expect(listed.map(\.kept.id) == [plan.id] && listed.first?.state == "waiting" && listed.first?.required == 1)
        let shown = try #require(try await console.plan(id: plan.id, now: Date()))
        let show = plan.text(
            Plan.Standing(
                intact: true, expired: false, used: nil, approvals: plan.reviewApprovals(f.approvals, recorded: []), required: 1))
        #expect(shown.review == show)
        #expect(show.contains("credits 418 -> 668 (+250)") && show.contains("needs: id 2 exists; credits of id 2 are 418"), "\(show)")

        try await console.approve(id: plan.id, user: "bob", now: Date())
        let approved = try #require(try await console.plan(id: plan.id, now: Date()))
        #expect(approved.state == "approved" && approved.approvals == ["bob"])
        #expect(approved.review?.contains("approvals: 1 of 1 needed (bob)") == true, "\(approved.review ?? "")")
        let outcome = try await f.apply(plan)
        #expect(outcome.state == "applied")
        let applied = try #require(try await console.plan(id: plan.id, now: Date()))
        #expect(applied.state == "applied" && applied.use?.state == "applied" && applied.use?.runID == outcome.runID)
        #expect(applied.usedWords == "applied at \(applied.use!.at) on host-a")
        #expect(applied.review?.contains("status: USED: the plan \(plan.id) was applied at") == true, "\(applied.review ?? "")")
    }

    @Test("the desk's refusals reach the console in its words; a rejection is the plan's one use")
    func refusalsAndReject() async throws {
        let f = try await PlanFixture.make()
        let plan = try await f.kept()
        let console = ConsolePlanDesk(desk: PlanDesk(audit: f.audit, settings: f.approvals), host: "host-a")
        let notApprover = await #expect(throws: ConsolePlanRefusal.self) {
            try await console.approve(id: plan.id, user: "carol", now: Date())
        }
        #expect(notApprover?.description == "carol is not an approver in nightshift.toml ([approvals] approvers)")
        let author = await #expect(throws: ConsolePlanRefusal.self) {
            try await console.approve(id: plan.id, user: "alice", now: Date())
        }
        #expect(author?.description == "alice made this plan, and self-approval is off ([approvals] self_approval)")
        try await console.reject(id: plan.id, user: "bob", reason: "wrong month", now: Date())
        let rejected = try #require(try await console.plan(id: plan.id, now: Date()))
        #expect(rejected.state == "rejected" && rejected.isOpen == false)
        #expect(try f.audit.planUse(plan.id)?.actor == "bob" && f.audit.planUse(plan.id)?.host == "host-a")
        let again = await #expect(throws: ConsolePlanRefusal.self) {
            try await console.approve(id: plan.id, user: "bob", now: Date())
        }
        #expect(again?.description.contains("rejected") == true, "\(again?.description ?? "")")
        #expect(try await console.plan(id: "p-none", now: Date()) == nil)
    }
}
