import Foundation
import NightshiftCore
import Scheduler
import TestHTTP
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A job with `approval = "required"`, with the real daemon, the emulator and a webhook
/// receiver as processes: its slot makes a plan and waits; the webhook hears
/// `approval-needed`; `jobs pending` and `history` show it; an approval makes it apply; a
/// slot left unapproved ends `expired` with nothing sent.
@Suite("nightshift schedule: jobs that wait for approval, real processes", .serialized)
struct ApprovalProcessTests {
    @Test("a slot waits, its webhook hears approval-needed, an approval applies it, and a slot left unapproved ends expired")
    func approvalRequired() async throws {
        let dir = TemporaryDirectory()
        let panel = try await EmulatorProcess(dir)
        let receiver = try await HTTPReceiver.start()
        defer { receiver.stop() }

        let keys = try NightshiftBinary.run(["keys", "new", "bob", "--dir", dir.path])
        #expect(keys.status == 0, "\(keys.error)")
        let settings = dir.file("nightshift.toml")
        try "[approvals]\nrequired = 1\napprovers = [\n  \(keys.output.trimmingCharacters(in: .whitespacesAndNewlines)),\n]\n"
            .write(toFile: settings, atomically: true, encoding: .utf8)
        try """
            -- Tops up the first reseller by 100 credits.
            local first = resellers.list()[1]
            resellers.add_credits(first.username, 100)
            """.write(toFile: dir.file("topup.lua"), atomically: true, encoding: .utf8)
        let runState = dir.file("run-state")
        let job = { (name: String, wait: String) in
            """
            [[jobs]]
            name = "\(name)"
            script = "topup.lua"
            schedule = "@yearly"
            panel = "\(panel.url)"
            approval = "required"
            approval_timeout = "\(wait)"
            timeout = "30s"
            grant = { allow = ["resellers.list", "resellers.add_credits"], max_credits = 100 }
            notify = { webhook = "\(receiver.url)" }
            extra_args = ["--config", "\(settings)", "--state", "\(runState)"]
            """
        }
        let jobs = dir.file("jobs.toml")
        try """
            [scheduler]
            state = "state.sqlite"
            tick = 0.1

            \(job("unapproved", "2s"))

            \(job("approved", "60s"))
            """.write(toFile: jobs, atomically: true, encoding: .utf8)
        let store = try await SchedulerStores.open(
            settings: try JobConfiguration.load(path: jobs).settings, environment: [:])
        let daemon = try NightshiftBinary.start(
            ["schedule", "--jobs", jobs], log: dir.file("daemon.log"), environment: ["NIGHTSHIFT_API_KEY": EmulatorProcess.key])
        defer {
            if daemon.poll() == nil {
                daemon.signal(SIGTERM)
                if daemon.waitForExit() == nil {
                    daemon.kill(signal: SIGKILL)
                    daemon.waitForExit()
                }
            }
        }
        func notifications(_ job: String) -> [[String: Any]] {
            receiver.received.compactMap { try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any] }
                .filter { $0["job"] as? String == job }
        }

        // Left unapproved: the webhook hears that it waits; after its 2 s it ends expired, nothing sent.
        #expect(try NightshiftBinary.run(["jobs", "trigger", "unapproved", "--jobs", jobs]).status == 0)
        #expect(await eventually { notifications("unapproved").contains { $0["event"] as? String == "approval-needed" } })
        #expect(try await eventually(within: 30) { try await store.history(job: "unapproved").first?.status == .expired })
        let expired = try #require(try await store.history(job: "unapproved").first)
        #expect(expired.exitCode == RunExitCode.expired.rawValue)
        #expect(expired.writesSent == 0)
        #expect(expired.reason?.contains("was not approved by") == true, "\(expired.reason ?? "")")

        // Approved: it waits, shows in jobs pending and history, and applies once bob approves.
        #expect(try NightshiftBinary.run(["jobs", "trigger", "approved", "--jobs", jobs]).status == 0)
        #expect(await eventually { notifications("approved").contains { $0["event"] as? String == "approval-needed" } })
        let message = try #require(notifications("approved").first { $0["event"] as? String == "approval-needed" })
        let plan = try #require(message["plan"] as? [String: Any])
        let planID = try #require(plan["id"] as? String)
        #expect(plan["writes"] as? Int == 1 && plan["credits"] as? Int == 100)
        #expect((message["text"] as? String)?.contains("nightshift approve \(planID) --key KEY") == true)
        #expect(!receiver.received.contains { $0.body.contains(EmulatorProcess.key) })

        let pending = try NightshiftBinary.run(["jobs", "pending", "--jobs", jobs])
        #expect(pending.status == 0, "\(pending.error)")
        #expect(pending.output.contains(planID) && pending.output.contains("approved"), "\(pending.output)")
        #expect(!pending.output.contains("unapproved"))
        let waiting = try NightshiftBinary.run(["history", "approved", "--jobs", jobs])
        #expect(waiting.output.contains("awaiting approval") && waiting.output.contains(planID), "\(waiting.output)")
        #expect(try await store.history(job: "approved").first?.status == .running)
        // The plan is the job's, not the daemon's OS user's: self-approval is judged on it.
        let made = try NightshiftBinary.run(["show", planID, "--config", settings, "--state", runState])
        #expect(made.output.contains("made by job approved at"), "\(made.output)")

        let approve = try NightshiftBinary.run(
            ["approve", planID, "--key", dir.file("bob.key"), "--config", settings, "--state", runState])
        #expect(approve.status == 0, "\(approve.error)")
        #expect(try await eventually(within: 30) { try await store.history(job: "approved").first?.status.isFinal == true })
        let applied = try #require(try await store.history(job: "approved").first)
        #expect(applied.status == .succeeded, "\(applied.reason ?? "")")
        #expect(applied.writesSent == 1 && applied.creditsMoved == 100)
        #expect(applied.reason?.hasPrefix("approved by bob; applied") == true, "\(applied.reason ?? "")")
        let shown = try NightshiftBinary.run(["history", "approved", "--jobs", jobs])
        #expect(shown.output.contains("succeeded") && shown.output.contains("approved by bob"), "\(shown.output)")

        // The plan is used: approving it again is refused, naming the apply.
        let again = try NightshiftBinary.run(
            ["approve", planID, "--key", dir.file("bob.key"), "--config", settings, "--state", runState])
        #expect(again.status == 2 && again.error.contains("was applied at"), "\(again.error)")
        await store.close()
    }
}
