import Console
import Foundation
import RunRecords
import Testing

/// The Audit page's search by plan: the writes `nightshift apply` sent for one plan.
@Suite("The Audit page's search by plan", .serialized)
struct AuditSearchTests {
    @Test("a plan's id finds the writes its apply sent, and only those; each links to its plan, and the CSV names it")
    func byPlan() async throws {
        try await ConsoleHarness.with { console in
            let plan = "p-0123456789abcdef0123456789abcdef"
            try console.seedRun(
                id: "r-apply", script: "(apply)", startedAt: "2026-01-01T02:00:00.000Z", planID: plan,
                writes: [("deltamedia6 (id 6)", 250, 418, "{\"result\":true}"), ("zenhub7 (id 7)", 250, 412, "{\"result\":true}")])
            try console.seedRun(
                id: "r-live", startedAt: "2026-01-01T03:00:00.000Z", writes: [("deltamedia6 (id 6)", 100, 668, "{\"result\":true}")])
            let vera = try await console.login("vera")

            let page = try await console.http.get("/audit?plan=" + plan, cookie: vera.cookie)
            #expect(page.status == 200)
            #expect(page.body.contains("<input name=\"plan\" value=\"\(plan)\""))
            let rows = page.body.components(separatedBy: "<tr><td class=\"nowrap\">").dropFirst()
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0.contains("r-apply") && !$0.contains("r-live") })
            #expect(rows.allSatisfy { $0.contains("<a class=\"mono plan-link\" href=\"/audit?plan=\(plan)\">\(plan)</a>") })
            #expect(page.body.contains("href=\"/audit.csv?plan=\(plan)\""))

            // The Run detail of the apply links its writes to the plan too; a plain run's do not.
            let run = try await console.http.get("/runs/r-apply", cookie: vera.cookie).body
            #expect(run.components(separatedBy: "plan-link").count == 3)
            let live = try await console.http.get("/runs/r-live", cookie: vera.cookie).body
            #expect(!live.contains("plan-link"))

            let csv = try await console.http.get("/audit.csv?plan=" + plan, cookie: vera.cookie)
            let lines = csv.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.count == 3)
            #expect(lines[0].hasPrefix("\"id\",\"time\",\"host\",\"run_id\",\"plan_id\",\"script\""))
            #expect(lines.dropFirst().allSatisfy { $0.contains(",\"r-apply\",\"\(plan)\",") })

            let none = try await console.http.get("/audit?plan=p-ffffffffffffffffffffffffffffffff", cookie: vera.cookie)
            #expect(none.body.contains("No write matches."))
        }
    }

    @Test("a plan id holding markup is text in the link and the field, and the link stays a path of the console")
    func hostilePlanID() async throws {
        try await ConsoleHarness.with { console in
            try console.seedRun(id: "r-odd", planID: EscapingTests.image, writes: [("x (id 1)", 5, 0, "ok")])
            let vera = try await console.login("vera")
            for path in ["/audit?run=r-odd", "/audit?plan=" + RawHTTP.encode(EscapingTests.image), "/runs/r-odd"] {
                let reply = try await console.http.get(path, cookie: vera.cookie)
                #expect(reply.status == 200, "\(path): \(reply.status)")
                EscapingTests.expectInert(reply.body, path)
                #expect(reply.body.contains("href=\"/audit?plan=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E\""), "\(path)")
            }
        }
    }
}
