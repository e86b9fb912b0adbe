import Foundation
import Hummingbird

extension ConsoleResponder {
    /// Plans listed on the Plans page.
    static let plansListed = 100
    /// The longest rejection reason taken.
    static let maximumReason = 500

    /// GET /plans: the kept plans, newest first, optionally only those in one state.
    func plansPage(_ request: Request, query: FormFields, session: ConsoleSession) async throws -> Response {
        let chosen = query.text("state").flatMap { ConsolePlan.states.contains($0) ? $0 : nil }
        let now = Date(timeIntervalSince1970: clock.now())
        let plans = try await sources.plans?.plans(now: now, limit: Self.plansListed) ?? []
        var counts: [String: Int] = [:]
        for plan in plans { counts[plan.state, default: 0] += 1 }
        let states =
            [PlansView.StateLink(label: "all (\(plans.count))", href: "/plans", current: chosen == nil)]
            + ConsolePlan.states.map { state in
                PlansView.StateLink(
                    label: "\(state) (\(counts[state] ?? 0))", href: Self.link("/plans", [("state", state)]), current: state == chosen)
            }
        let rows = plans.filter { chosen == nil || $0.state == chosen }.map { plan in
            PlansView.Row(
                id: plan.kept.id, href: "/plans/" + Self.queryEncoded(plan.kept.id), state: plan.state,
                tone: StatusTone.of(plan.state), author: plan.kept.author, job: plan.kept.job ?? "",
                created: ConsoleTime.readable(plan.kept.createdAt), expires: ConsoleTime.readable(plan.kept.expiresAt),
                writes: plan.kept.writes, credits: plan.kept.credits, approvals: Self.approvalWords(plan))
        }
        let view = PlansView(
            frame: await frame("Plans", path: "/plans", session: session), states: states, rows: rows,
            limit: Self.plansListed, kept: sources.plans != nil)
        return html("plans", view)
    }

    /// GET /plans/ID: how the plan stands, its review as `nightshift show` prints it, and
    /// Approve and Reject for approvers and admins while it is open.
    func planPage(_ request: Request, id: String, session: ConsoleSession) async throws -> Response {
        guard !id.isEmpty, id.utf8.count <= 200,
            let plan = try await sources.plans?.plan(id: id, now: Date(timeIntervalSince1970: clock.now()))
        else {
            throw ConsoleFailure.notFound("The plan '\(id.prefix(200))'")
        }
        let kept = plan.kept
        let view = PlanView(
            frame: await frame("Plan \(kept.id)", path: "/plans", session: session), id: kept.id, state: plan.state,
            tone: StatusTone.of(plan.state), author: kept.author, job: kept.job,
            jobHref: Self.link("/jobs/history", [("job", kept.job)]), created: ConsoleTime.readable(kept.createdAt),
            expires: ConsoleTime.readable(kept.expiresAt), waitUntil: kept.waitUntil.map { ConsoleTime.readable($0) },
            digest: kept.digest, file: kept.path, approvals: Self.approvalWords(plan), used: plan.usedWords,
            runHref: plan.use?.runID.map { "/runs/" + Self.queryEncoded($0) }, review: plan.review,
            writesHref: ["applied", "partial"].contains(plan.state) ? Self.link("/audit", [("plan", kept.id)]) : nil,
            canDecide: plan.isOpen && session.role?.allows(.approve) == true, isOpen: plan.isOpen)
        return html("plan", view)
    }

    /// POST /plans/approve and /plans/reject (form fields `plan`, and `reason` to reject), for
    /// approvers and admins: through `PlanDesk`, recorded in the audit log as the console
    /// user's, with the checks `nightshift approve` and `reject` make.
    func decide(approve: Bool, context: ConsoleContext, session: ConsoleSession) async throws -> Response {
        let user = session.user ?? "-"
        let id = String((context.form.text("plan") ?? "").prefix(200))
        let action = approve ? ConsoleAction.approve : ConsoleAction.reject
        try await require(
            .approve, session: session, context: context, action: action, target: id,
            words: "approve or reject plans; an approver or admin can")
        guard !id.isEmpty else { throw ConsoleFailure.badRequest("Name the plan in the form's 'plan' field.") }
        guard let plans = sources.plans else { throw ConsoleFailure.notFound("The plan '\(id)'") }
        let reason = (context.form.text("reason") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !approve {
            guard !reason.isEmpty, reason.utf8.count <= Self.maximumReason else {
                throw ConsoleFailure.badRequest("Say why the plan is rejected, in at most \(Self.maximumReason) bytes.")
            }
        }
        let now = Date(timeIntervalSince1970: clock.now())
        do {
            if approve {
                try await plans.approve(id: id, user: user, now: now)
            } else {
                try await plans.reject(id: id, user: user, reason: reason, now: now)
            }
        } catch let refusal as ConsolePlanRefusal {
            await record(
                user: user, address: context.address, action: action, target: id, outcome: "refused",
                detail: refusal.description)
            throw ConsoleFailure(
                status: .conflict, message: "Not \(approve ? "approved" : "rejected"): \(refusal.description).")
        } catch {
            await record(user: user, address: context.address, action: action, target: id, outcome: "failed", detail: "\(error)")
            throw error
        }
        await record(
            user: user, address: context.address, action: action, target: id, outcome: "done",
            detail: approve ? nil : reason)
        await sessions.setFlash(
            session.id,
            approve
                ? "Approved plan \(id) as \(user)."
                : "Rejected plan \(id): it can never be applied.")
        return redirect(to: "/plans/" + Self.queryEncoded(id))
    }

    /// `1 of 2 needed: abby`, `none of 1 needed`.
    static func approvalWords(_ plan: ConsolePlan) -> String {
        let count = plan.approvals.isEmpty ? "none" : String(plan.approvals.count)
        return "\(count) of \(plan.required) needed" + (plan.approvals.isEmpty ? "" : ": " + plan.approvals.joined(separator: ", "))
    }
}
