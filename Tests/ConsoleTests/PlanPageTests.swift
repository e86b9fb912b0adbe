import Console
import Foundation
import Testing

/// The Plans page and its Approve and Reject buttons, over fixed plans: who may act, what is
/// recorded, what is refused and how, and that a plan's words reach the page as text.
@Suite("The console's Plans page", .serialized)
struct PlanPageTests {
    static let waiting = "p-00000000000000000000000000000001"
    static let applied = "p-00000000000000000000000000000002"
    static let rejected = "p-00000000000000000000000000000003"

    static func plans() -> FixedPlans {
        FixedPlans([
            FixedPlans.plan(waiting, state: "waiting", job: "nightly"),
            FixedPlans.plan(applied, state: "applied", approvals: ["abby"]),
            FixedPlans.plan(rejected, state: "rejected"),
        ])
    }

    @Test("the Plans page lists the kept plans with their state, filters by state, and a plan's page shows its review")
    func listAndReview() async throws {
        try await ConsoleHarness.with(plans: Self.plans()) { console in
            let vera = try await console.login("vera")
            let all = try await console.http.get("/plans", cookie: vera.cookie)
            #expect(all.status == 200)
            #expect(all.body.contains("<a href=\"/plans\" class=\"current\" aria-current=\"page\">all (3)</a>"))
            #expect(all.body.contains("<a href=\"/plans?state=waiting\">waiting (1)</a>"))
            #expect(all.body.contains("<a href=\"/plans?state=applied\">applied (1)</a>"))
            for id in [Self.waiting, Self.applied, Self.rejected] { #expect(all.body.contains("id=\"plan-\(id)\"")) }
            #expect(all.body.contains("<span class=\"status idle\">waiting</span>"))
            #expect(all.body.contains("<td>1 of 1 needed: abby</td>"))
            #expect(all.body.contains("<a href=\"/plans\" aria-current=\"page\">Plans</a>"))

            let waiting = try await console.http.get("/plans?state=waiting", cookie: vera.cookie)
            #expect(waiting.body.contains("id=\"plan-\(Self.waiting)\""))
            #expect(!waiting.body.contains("id=\"plan-\(Self.applied)\"") && !waiting.body.contains("id=\"plan-\(Self.rejected)\""))

            let plan = try await console.http.get("/plans/" + Self.waiting, cookie: vera.cookie)
            #expect(plan.status == 200)
            #expect(plan.body.contains("<span class=\"status idle\" id=\"plan-state\">waiting</span>"))
            #expect(plan.body.contains("<dd id=\"plan-approvals\">none of 1 needed</dd>"))
            #expect(plan.body.contains("<pre class=\"log\" id=\"review\">plan p-…\n2 writes:\n  1. resellers.add_credits  deltamedia6 (id 6)  credits 418 -&gt; 668 (+250)\n     needs: credits of id 6 are 418"))
            #expect(plan.body.contains("<a href=\"/jobs/history?job=nightly\">nightly</a>"))

            let applied = try await console.http.get("/plans/" + Self.applied, cookie: vera.cookie)
            #expect(applied.body.contains("<a href=\"/audit?plan=\(Self.applied)\">The writes its apply sent</a>, in <a href=\"/runs/r-apply\">its run</a>"))
            #expect(applied.body.contains("<span class=\"muted\">applied at 2026-01-01T02:00:00.000Z on host-a</span>"))
            #expect(!applied.body.contains("nightshift approve"))

            let missing = try await console.http.get("/plans/p-nope", cookie: vera.cookie)
            #expect(missing.status == 404 && missing.body.contains("The plan &#39;p-nope&#39; does not exist."))
        }
    }

    @Test("without plans kept, the page says so")
    func nonePage() async throws {
        try await ConsoleHarness.with { console in
            let vera = try await console.login("vera")
            let page = try await console.http.get("/plans", cookie: vera.cookie)
            #expect(page.status == 200 && page.body.contains("This console keeps no plans."))
        }
    }

    @Test("an approver approves and rejects: the desk hears the console user, the action is recorded, the page says so")
    func approveAndReject() async throws {
        let plans = Self.plans()
        try await ConsoleHarness.with(plans: plans) { console in
            let abby = try await console.login("abby")
            let page = try await console.http.get("/plans/" + Self.waiting, cookie: abby.cookie)
            #expect(page.body.contains("<button type=\"submit\" class=\"approve\">Approve</button>"))
            #expect(page.body.contains("<button type=\"submit\" class=\"reject\">Reject</button>"))

            let approved = try await console.http.post(
                "/plans/approve", form: [("csrf", abby.csrf), ("plan", Self.waiting)], cookie: abby.cookie)
            #expect(approved.status == 303 && approved.header("Location") == "/plans/" + Self.waiting)
            let after = try await console.http.get("/plans/" + Self.waiting, cookie: abby.cookie)
            #expect(after.body.contains("<p class=\"flash\" role=\"status\" id=\"flash\">Approved plan \(Self.waiting) as abby.</p>"))
            #expect(after.body.contains("<dd id=\"plan-approvals\">1 of 1 needed: abby</dd>"))

            let rejected = try await console.http.post(
                "/plans/reject", form: [("csrf", abby.csrf), ("plan", Self.waiting), ("reason", "wrong month")], cookie: abby.cookie)
            #expect(rejected.status == 303)
            #expect(plans.recorded == ["approve \(Self.waiting) abby", "reject \(Self.waiting) abby wrong month"])
            let actions = try console.actions().prefix(2).map { "\($0.user) \($0.action) \($0.target) \($0.outcome) \($0.detail ?? "")" }
            #expect(actions == ["abby reject \(Self.waiting) done wrong month", "abby approve \(Self.waiting) done "])
            // A closed plan offers no buttons.
            let closed = try await console.http.get("/plans/" + Self.waiting, cookie: abby.cookie)
            #expect(!closed.body.contains("class=\"approve\"") && !closed.body.contains("class=\"reject\""))
        }
    }

    @Test("a viewer's and an operator's pages have no Approve or Reject, and their forged POSTs are refused and recorded")
    func rolesBelowApprover() async throws {
        let plans = Self.plans()
        try await ConsoleHarness.with(plans: plans) { console in
            for name in ["vera", "otto"] {
                let session = try await console.login(name)
                let page = try await console.http.get("/plans/" + Self.waiting, cookie: session.cookie)
                #expect(!page.body.contains("/plans/approve") && !page.body.contains("/plans/reject"))
                #expect(page.body.contains("An approver or admin can approve or reject this plan here"))
                for action in ["approve", "reject"] {
                    let reply = try await console.http.post(
                        "/plans/\(action)", form: [("csrf", session.csrf), ("plan", Self.waiting), ("reason", "x"), ("role", "admin")],
                        cookie: session.cookie)
                    #expect(reply.status == 403)
                    let role = name == "vera" ? "viewer" : "operator"
                    #expect(reply.body.contains("Your role (\(role)) may not approve or reject plans; an approver or admin can."))
                    let recorded = try console.actions().first
                    #expect(recorded?.user == name && recorded?.action == action && recorded?.outcome == "refused")
                    #expect(recorded?.detail == "role \(role) may not \(action)")
                }
            }
            #expect(plans.recorded.isEmpty)
        }
    }

    @Test("approve with a forged token, from another site, or as a GET is refused before the desk hears of it")
    func forgedApproval() async throws {
        let plans = Self.plans()
        try await ConsoleHarness.with(plans: plans) { console in
            let abby = try await console.login("abby")
            let forged = try await console.http.post(
                "/plans/approve", form: [("csrf", "forged"), ("plan", Self.waiting)], cookie: abby.cookie)
            #expect(forged.status == 403 && forged.body.contains(HostileRequestTests.refusedCSRF))
            let crossSite = try await console.http.post(
                "/plans/approve", form: [("csrf", abby.csrf), ("plan", Self.waiting)], cookie: abby.cookie,
                headers: [("Origin", "http://evil.example")])
            #expect(crossSite.status == 403 && crossSite.body.contains("Refused: this form was sent from another site (Origin: http://evil.example)."))
            let asGet = try await console.http.get("/plans/approve?csrf=\(abby.csrf)&plan=\(Self.waiting)", cookie: abby.cookie)
            #expect(asGet.status == 405 && asGet.header("Allow") == "POST")
            #expect(plans.recorded.isEmpty)
        }
    }

    @Test("the desk's refusals are a 409 with its words, recorded as refused; a rejection needs a reason")
    func refusals() async throws {
        let plans = Self.plans()
        try await ConsoleHarness.with(plans: plans) { console in
            // A plan used already.
            let ada = try await console.login("ada")
            let used = try await console.http.post(
                "/plans/approve", form: [("csrf", ada.csrf), ("plan", Self.applied)], cookie: ada.cookie)
            #expect(used.status == 409)
            #expect(used.body.contains("Not approved: the plan \(Self.applied) was applied at 2026-01-01T02:00:00.000Z."))
            let recorded = try console.actions().first
            #expect(recorded?.action == "approve" && recorded?.outcome == "refused")
            #expect(recorded?.detail == "the plan \(Self.applied) was applied at 2026-01-01T02:00:00.000Z")

            for reason in ["", "   ", String(repeating: "x", count: 501)] {
                let reply = try await console.http.post(
                    "/plans/reject", form: [("csrf", ada.csrf), ("plan", Self.waiting), ("reason", reason)], cookie: ada.cookie)
                #expect(reply.status == 400 && reply.body.contains("Say why the plan is rejected, in at most 500 bytes."))
            }
            #expect(plans.recorded == ["approve \(Self.applied) ada"])
        }
        // A user whose name is not an approver in nightshift.toml.
        let strict = FixedPlans([FixedPlans.plan(Self.waiting, state: "waiting")], approvers: ["bob"])
        try await ConsoleHarness.with(plans: strict) { console in
            let abby = try await console.login("abby")
            let reply = try await console.http.post(
                "/plans/approve", form: [("csrf", abby.csrf), ("plan", Self.waiting)], cookie: abby.cookie)
            #expect(reply.status == 409)
            #expect(reply.body.contains("Not approved: abby is not an approver in nightshift.toml ([approvals] approvers)."))
        }
    }

    @Test("a plan's author, job, file and review holding markup are shown as text")
    func escaped() async throws {
        let odd = FixedPlans([
            FixedPlans.plan(
                "p-odd", state: "waiting", author: EscapingTests.script, job: EscapingTests.image,
                review: "\(EscapingTests.script)\n\(EscapingTests.image)\n\(EscapingTests.link)")
        ])
        try await ConsoleHarness.with(plans: odd) { console in
            let vera = try await console.login("vera")
            for path in ["/plans", "/plans/p-odd"] {
                let reply = try await console.http.get(path, cookie: vera.cookie)
                #expect(reply.status == 200, "\(path)")
                EscapingTests.expectInert(reply.body, path)
            }
            let page = try await console.http.get("/plans/p-odd", cookie: vera.cookie).body
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;\n&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\njavascript:alert(1)</pre>"))
            #expect(page.contains("href=\"/jobs/history?job=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E\""))
        }
    }
}
