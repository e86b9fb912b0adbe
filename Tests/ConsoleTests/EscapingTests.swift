import Console
import Foundation
import Scheduler
import RunRecords
import Testing

/// What scripts, panels and people typed reaches the pages as text, never as markup, and
/// the CSV export as values, never as formulas; no page shows a secret.
@Suite("Hostile text is shown, never run", .serialized)
struct EscapingTests {
    static let script = "<script>alert(1)</script>"
    static let image = "\"><img src=x onerror=alert(1)>"
    static let link = "javascript:alert(1)"

    /// What no page may contain, whatever the records hold.
    static func expectInert(_ page: String, _ where_: String) {
        #expect(!page.contains("<script>alert"), "\(where_) has a live <script>")
        #expect(!page.lowercased().contains("<img src=x"), "\(where_) has a live <img>")
        #expect(!page.lowercased().contains("href=\"javascript:"), "\(where_) links to javascript:")
        #expect(!page.lowercased().contains("onerror=alert(1)>"), "\(where_) has a live onerror")
    }

    @Test("script output and reseller names with <script>, \"><img onerror> and javascript: are escaped on every page")
    func escapedEverywhere() async throws {
        try await ConsoleHarness.with { console in
            try console.seedRun(
                id: "r-hostile", script: "evil\(Self.script).lua", output: "\(Self.script)\n\(Self.image)\n\(Self.link)\n",
                startedAt: "2026-01-01T02:00:00.000Z",
                origin: AuditRunOrigin(job: "nightly", kind: "scheduled", slot: 1_767_229_200, attempt: 1),
                writes: [
                    ("\(Self.script) (id 1)", 250, 100, "{\"result\":\"\(Self.image)\"}"),
                    ("\(Self.image) (id 2)", 100, 50, Self.link),
                    ("\(Self.link) (id 3)", -40, 90, "ok"),
                ])
            // A failed login's typed name lands in the console actions.
            let form = try await console.loginForm()
            _ = try await console.http.post(
                "/login", form: [("csrf", form.csrf), ("name", Self.script), ("password", "x-x-x-x-x-x-x")], cookie: form.cookie)
            let vera = try await console.login("vera")
            let pages = [
                "/runs", "/runs/r-hostile", "/panel?from=2025-12-25&to=2026-01-01", "/audit",
                "/audit?reseller=" + RawHTTP.encode(Self.image), "/audit/console", "/jobs/history?job=nightly",
            ]
            for path in pages {
                let reply = try await console.http.get(path, cookie: vera.cookie)
                #expect(reply.status == 200, "\(path): \(reply.status)")
                Self.expectInert(reply.body, path)
            }
            let run = try await console.http.get("/runs/r-hostile", cookie: vera.cookie).body
            #expect(run.contains("&lt;script&gt;alert(1)&lt;/script&gt;\n&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\njavascript:alert(1)"))
            #expect(run.contains("evil&lt;script&gt;alert(1)&lt;/script&gt;.lua"))
            let panel = try await console.http.get("/panel?from=2025-12-25&to=2026-01-01", cookie: vera.cookie).body
            #expect(panel.contains("<svg"))
            #expect(panel.contains("&lt;script&gt;alert(1)&lt;/script&gt; (id 1)"))
            #expect(panel.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; (id 2)"))
            // The link to a reseller's writes is a path of the console, whatever its name.
            #expect(panel.contains("href=\"/audit?reseller=javascript%3Aalert%281%29%20%28id%203%29\""))
            let actions = try await console.http.get("/audit/console", cookie: vera.cookie).body
            #expect(actions.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"))
        }
    }

    @Test("the CSV export is formula-safe: cells starting with =, +, -, @ or a tab are text, quotes are doubled")
    func csvIsFormulaSafe() async throws {
        try await ConsoleHarness.with { console in
            try console.seedRun(
                id: "r-csv",
                writes: [
                    ("=cmd|' /C calc'!A0", 10, 0, "he said \"hi\""),
                    ("+1+1 (id 2)", 10, 0, "@SUM(A1:A9)"),
                    ("-2+3 (id 3)", -100, 500, "=HYPERLINK(\"http://evil.example\",\"click\")"),
                    ("\tTAB (id 4)", 10, 0, "ok"),
                    ("\(EscapingTests.script) (id 5)", 10, 0, "ok"),
                ])
            let vera = try await console.login("vera")
            let reply = try await console.http.get("/audit.csv?run=r-csv", cookie: vera.cookie)
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "text/csv; charset=utf-8")
            #expect(reply.header("Content-Disposition") == "attachment; filename=\"nightshift-audit.csv\"")
            let lines = reply.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.count == 6)
            #expect(lines[0].hasPrefix("\"id\",\"time\",\"host\",\"run_id\""))
            #expect(reply.body.contains(",\"'=cmd|' /C calc'!A0\","))
            #expect(reply.body.contains(",\"he said \"\"hi\"\"\"\r\n"))
            #expect(reply.body.contains(",\"'+1+1 (id 2)\","))
            #expect(reply.body.contains(",\"'@SUM(A1:A9)\"\r\n"))
            #expect(reply.body.contains(",\"'-2+3 (id 3)\",500,400,-100,"))
            #expect(reply.body.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\"\r\n"))
            #expect(reply.body.contains(",\"'\tTAB (id 4)\","))
            #expect(reply.body.contains(",\"<script>alert(1)</script> (id 5)\","))
            // No cell of text starts with a formula character unguarded.
            for line in lines.dropFirst() {
                for cell in line.split(separator: ",") where cell.hasPrefix("\"") {
                    #expect(!"=+-@\t".contains(cell.dropFirst().first ?? "x"), "unguarded cell \(cell)")
                }
            }
        }
    }

    @Test("no page and no export shows the API key or a webhook URL, even when a record holds one")
    func noSecrets() async throws {
        try await ConsoleHarness.with { console in
            try console.seedRun(
                id: "r-leak", output: "key=\(ConsoleHarness.apiKey) hook=\(ConsoleHarness.webhook)",
                writes: [("reseller (id 1)", 5, 0, "echo \(ConsoleHarness.apiKey)")])
            let ada = try await console.login("ada")
            for path in ["/jobs", "/runs", "/runs/r-leak", "/audit", "/audit.csv", "/panel?from=2025-12-30&to=2026-01-01",
                "/jobs/history?job=nightly", "/audit/console"]
            {
                let body = try await console.http.get(path, cookie: ada.cookie).body
                #expect(!body.contains(ConsoleHarness.apiKey), "\(path) shows the API key")
                #expect(!body.contains(ConsoleHarness.webhook) && !body.contains("T0KEN-9d8c7b6a"), "\(path) shows the webhook")
                #expect(!body.contains("password-of-"), "\(path) shows a password")
            }
            #expect(try await console.http.get("/runs/r-leak", cookie: ada.cookie).body.contains("key=[redacted] hook=[redacted]"))
            #expect(try await console.http.get("/jobs", cookie: ada.cookie).body.contains("webhook on failure, recovered"))
        }
    }
}
