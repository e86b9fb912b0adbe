import Foundation
import OperationsFull
import PanelAPI
import Plans
import Testing

/// Fleet plans over two in-process panels, eu and us, each its own emulator and store with
/// the fixture's resellers (deltamedia6 418 and zenhub7 412 are under 500 on both).
@Suite("fleet plans: one section per panel, one digest, every panel checked before any is sent to")
struct FleetPlanTests {
    let eu: PlanFixture
    let us: PlanFixture

    init() async throws {
        eu = try await PlanFixture.make()
        us = try await PlanFixture.make(resellers: [("alpha", 100), ("deltamedia6", 418), ("zenhub7", 700), ("ultralive3", 620)])
    }

    /// The fleet's plan of the top-up, made from both panels' dry-runs.
    func fleetPlan(maxCreditsTotal: Int? = nil) async throws -> FleetPlan {
        FleetPlan(panels: [("eu", try await eu.plan()), ("us", try await us.plan())], maxCreditsTotal: maxCreditsTotal)
    }

    func approved(_ plan: FleetPlan, by name: String = "bob") throws -> FleetPlan {
        var plan = plan
        try plan.approve(with: try PlanKeys.load(eu.keys[name]!), settings: eu.approvals, at: Plan.iso(Date()))
        return plan
    }

    func applier(_ plan: FleetPlan) -> FleetPlanApply {
        FleetPlanApply(
            plan: plan, path: eu.folder + "/fleet.json",
            connections: [
                .init(name: "eu", client: eu.client, url: PlanFixture.url), .init(name: "us", client: us.client, url: PlanFixture.url),
            ],
            audit: eu.audit, shared: nil, approvals: eu.approvals, actor: "operator", host: "host-a")
    }

    @Test("the file holds one section per panel with its own writes, and reads back equal, digest intact")
    func roundTrip() async throws {
        let plan = try await fleetPlan(maxCreditsTotal: 1500)
        #expect(plan.sections.map(\.name) == ["eu", "us"])
        #expect(plan.sections[0].plan.writes.map(\.label) == ["deltamedia6 (id 2)", "zenhub7 (id 3)"])
        #expect(plan.sections[1].plan.writes.map(\.label) == ["alpha (id 1)", "deltamedia6 (id 2)"])
        #expect(plan.sections.allSatisfy { $0.plan.id == plan.id })
        #expect(plan.writeCount == 4 && plan.creditsMoved == 1000)
        let path = eu.folder + "/fleet.json"
        try plan.write(to: path, replacing: false)
        let read = try PlanFile.load(path)
        let fleet = try #require(read as? FleetPlan)
        #expect(fleet == plan)
        #expect(fleet.computedDigest == fleet.digest)
        let text = fleet.text(
            Plan.Standing(intact: true, expired: false, used: nil, approvals: fleet.reviewApprovals(eu.approvals), required: 1))
        #expect(text.contains("2 panels: eu, us; fleet cap 1500 credits (--max-credits-total)"))
        #expect(text.contains("[us]   1. resellers.add_credits  alpha (id 1)  credits 100 -> 350 (+250)"), "\(text)")
        #expect(text.contains("fleet totals: 2 panels, 4 writes, 1000 credits moved (net +1000)"))
        #expect(text.contains("approvals: 0 of 1 needed"))
    }

    @Test("an amount edited in one section, or the sections swapped, is refused; a panel's own plan's signature does not count")
    func tampering() async throws {
        let plan = try approved(try await fleetPlan())
        let path = eu.folder + "/fleet.json"
        try plan.write(to: path, replacing: false)
        let text = try String(contentsOfFile: path, encoding: .utf8)

        // 250 -> 2500 in a write, in the file: the totals no longer add up to the writes.
        let edited = text.replacingOccurrences(of: "\"change\": 250,", with: "\"change\": 2500,")
        #expect(edited != text)
        #expect(throws: Plan.FormatError.self) { try FleetPlan(text: Array(edited.utf8)) }
        // The same change made consistently (totals too): the digest no longer matches.
        var changed = plan
        changed.sections[1].plan.writes[0].creditChange = 2500
        #expect(throws: PlanRefusal.self) { try changed.checkDigest() }

        var swapped = plan
        swapped.sections.reverse()
        #expect(swapped.computedDigest != plan.digest)
        #expect(throws: PlanRefusal.self) { try swapped.checkDigest() }

        // bob signs the eu section as a plan of one panel; copied into the fleet, it does not count.
        var single = plan.sections[0].plan
        single.digest = single.computedDigest
        try single.approve(with: try PlanKeys.load(eu.keys["bob"]!), settings: eu.approvals, at: Plan.iso(Date()))
        var forged = try await fleetPlan()
        forged.approvals = single.approvals
        let review = forged.reviewApprovals(eu.approvals)
        #expect(review.valid.isEmpty)
        #expect(review.problems.first?.contains("does not verify") == true)
    }

    @Test("an approved fleet plan applies each panel's writes exactly, on its own panel, once")
    func applies() async throws {
        let plan = try approved(try await fleetPlan())
        let apply = applier(plan)
        try await apply.check()
        let outcome = try await apply.send()
        #expect(outcome.state == "applied")
        #expect(outcome.exitCode == .ok)
        #expect(outcome.writesSent == 4 && outcome.creditsMoved == 1000)
        #expect(try await eu.credits("deltamedia6") == 668)
        #expect(try await eu.credits("zenhub7") == 662)
        #expect(try await eu.credits("alpha") == 900)
        #expect(try await us.credits("alpha") == 350)
        #expect(try await us.credits("zenhub7") == 700)
        #expect(eu.transport.writesSent.count == 2 && us.transport.writesSent.count == 2)
        let rows = try eu.audit.writes(mode: "apply").filter { $0.planID == plan.id }
        #expect(rows.compactMap(\.panel).sorted() == ["eu", "eu", "us", "us"])
        #expect(rows.allSatisfy { $0.outcome == "done" })
        let runs = try eu.audit.runs().filter { $0.mode == "apply" }
        #expect(runs.map(\.panel).compactMap { $0 }.sorted() == ["eu", "us"])
        #expect(runs.allSatisfy { $0.fleet == apply.fleetID && $0.status == .succeeded })

        let again = applier(plan)
        await #expect(throws: PlanRefusal.self) { try await again.check() }
        #expect(eu.transport.writesSent.count == 2 && us.transport.writesSent.count == 2)
    }

    @Test("a balance changed on one panel refuses the whole plan, naming that panel; nothing is sent to any panel")
    func driftOnOnePanel() async throws {
        let plan = try approved(try await fleetPlan())
        try await us.store.addCredits(5, to: .username("alpha"))
        let apply = applier(plan)
        do {
            try await apply.check()
            Issue.record("the check passed")
        } catch {
            #expect(error.check == .preconditions)
            #expect(error.description.contains("[us] alpha (id 1): credits were 100 when planned, now 105"), "\(error)")
            #expect(!error.description.contains("[eu]"))
        }
        #expect(eu.transport.writesSent.isEmpty && us.transport.writesSent.isEmpty)
    }

    @Test("without its approvals, or over the fleet cap, nothing is sent to any panel")
    func approvalsAndFleetCap() async throws {
        let unapproved = applier(try await fleetPlan())
        do {
            try await unapproved.check()
            Issue.record("the check passed")
        } catch {
            #expect(error.check == .approvals)
        }
        let overCap = applier(try approved(try await fleetPlan(maxCreditsTotal: 900)))
        do {
            try await overCap.check()
            Issue.record("the check passed")
        } catch {
            #expect(error.check == .caps)
            #expect(error.description.contains("1000 credits together, over the fleet cap of 900"), "\(error)")
        }
        #expect(eu.transport.writesSent.isEmpty && us.transport.writesSent.isEmpty)
    }

    @Test("the console's desk lists a kept fleet plan, takes a console approval of it, and shows it applied; the review shows every panel")
    func consoleDesk() async throws {
        let plan = try await fleetPlan()
        let path = eu.folder + "/\(plan.id).json"
        try plan.write(to: path, replacing: false)
        try PlanKeeping.keep(plan, path: path, waitUntil: nil, job: nil, slot: nil, audit: eu.audit)
        let desk = PlanDesk(audit: eu.audit, settings: eu.approvals)
        let waiting = try #require(try desk.entry(plan.id, now: Date()))
        #expect(waiting.state == .waiting)
        #expect(waiting.kept.panel == "fleet eu, us" && waiting.kept.writes == 4 && waiting.kept.credits == 1000)
        try desk.approve(plan.id, as: "bob", now: Date())
        let approved = try #require(try desk.entry(plan.id, now: Date()))
        #expect(approved.state == .approved && approved.approvals == ["bob"])
        let review = try #require(approved.plan).text(
            Plan.Standing(intact: true, expired: false, used: nil, approvals: approved.plan!.reviewApprovals(eu.approvals), required: 1))
        #expect(review.contains("[eu]   1.") && review.contains("[us]   1."), "\(review)")
        let apply = applier(plan)
        try await apply.check()
        #expect(try await apply.send().state == "applied")
        #expect(try desk.entry(plan.id, now: Date())?.state == .applied)
    }
}
