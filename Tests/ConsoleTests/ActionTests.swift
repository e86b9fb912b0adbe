import Console
import Foundation
import Scheduler
import Testing

/// The console's buttons take the CLI's code path (`JobControl`) into either store engine,
/// and every action lands in the audit log with the user's name.
@Suite("The console's actions", .serialized)
struct ActionTests {
    @Test("Run now, Pause and Resume reach the store as jobs trigger, pause and resume do", arguments: [false, true])
    func actions(postgres: Bool) async throws {
        try await ConsoleHarness.with(postgres: postgres) { console in
            let otto = try await console.login("otto")
            let run = try await console.http.post("/jobs/trigger", form: [("csrf", otto.csrf), ("job", "nightly")], cookie: otto.cookie)
            #expect(run.status == 303 && run.header("Location") == "/jobs")
            let jobs = try await console.http.get("/jobs", cookie: otto.cookie).body
            #expect(jobs.contains("<p class=\"flash\" role=\"status\" id=\"flash\">Triggered nightly: the daemon starts it at its next tick.</p>"))
            #expect(try await console.store.takeTriggers(jobs: ["nightly"]).map(\.requestedAt) == [1_767_225_600])
            _ = try await console.http.post("/jobs/pause", form: [("csrf", otto.csrf), ("job", "hourly")], cookie: otto.cookie)
            #expect(try await console.store.pausedOverrides() == ["hourly": true])
            let paused = try await console.http.get("/jobs", cookie: otto.cookie).body
            #expect(paused.contains("Paused hourly."))
            #expect(paused.contains("<span class=\"status warn paused\">paused</span> <span class=\"muted\">by jobs pause or the console</span>"))
            _ = try await console.http.post("/jobs/resume", form: [("csrf", otto.csrf), ("job", "hourly")], cookie: otto.cookie)
            #expect(try await console.store.pausedOverrides() == ["hourly": false])
            let recorded = try console.actions().reversed().map { "\($0.user) \($0.action) \($0.target) \($0.outcome)" }
            #expect(recorded == ["otto login  done", "otto run now nightly done", "otto pause hourly done", "otto resume hourly done"])
            #expect(try console.actions().allSatisfy { $0.address == "127.0.0.1" && $0.time.hasPrefix("2026-01-01T00:00:00") })
        }
    }

    @Test("the Jobs page shows each job's schedule in words and as cron, zone, next run and countdown, notify targets by name")
    func jobsPage() async throws {
        try await ConsoleHarness.with { console in
            let vera = try await console.login("vera")
            let page = try await console.http.get("/jobs", cookie: vera.cookie).body
            // 2026-01-01T00:00:00Z is 01:00 in Paris; the next 03:00 there is two hours later.
            #expect(page.contains("<td>every day at 03:00<br><code>0 3 * * *</code></td>\n<td>Europe/Paris</td>"))
            #expect(page.contains("2026-01-01T03:00:00+01:00</span><br><span class=\"muted countdown\" data-countdown=\"1767232800\">in 2h 0m 0s</span>"))
            #expect(page.contains("<td>webhook on failure, recovered</td>"))
            #expect(page.contains("<td>every hour<br><code>@every 1h</code></td>"))
            #expect(page.contains("never ran"))
        }
    }
}
