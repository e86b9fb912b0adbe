import Foundation
import NightshiftCore
import Scheduler
import RunRecords
import TestScratch
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The console in a real browser (Browser/console_browser.py: Selenium driving Debian's
/// chromium headless), served by a real `nightshift schedule` whose jobs file has
/// `[console]`, with users added by `nightshift console add-user`. The daemon runs the
/// triggered job as a child `nightshift run --emulator`, so Run now is seen through to the
/// run's log; a job with `approval = "required"` against `nightshift emulator` makes a plan
/// that waits, an approver approves it in the browser, and the waiting run applies it. Screenshots of each page are written to `.build/console-screenshots/` (or
/// `$CONSOLE_SCREENSHOTS`); docs/console.md shows copies from docs/console/.
@Suite("The console in a browser", .serialized)
struct BrowserTests {
    static var packageRoot: URL {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }  // BrowserTests.swift, ConsoleTests, Tests
        return root
    }

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["NIGHTSHIFT_BIN"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".build/debug/nightshift").path
    }

    static var screenshots: String {
        ProcessInfo.processInfo.environment["CONSOLE_SCREENSHOTS"]
            ?? packageRoot.appendingPathComponent(".build/console-screenshots").path
    }

    @Test("log in, see a job's next run, Run now and read the run's log, pause, approve a plan which then applies, log out; a viewer cannot act")
    func walkThrough() async throws {
        let binary = Self.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build nightshift or set NIGHTSHIFT_BIN")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "apt-get install chromium chromium-driver")
        let folder = try Scratch.folder("browser")
        let scripts = Self.packageRoot.appendingPathComponent("scripts").path

        // A panel (the emulator, as a process) for the job whose plans wait for approval, and
        // abby, an approver in nightshift.toml's [approvals] and in the console.
        let emulatorLog = folder + "/emulator.log"
        let emulator = try ProcessLauncher().launch(
            RunRequest(
                job: "emulator", slot: 0,
                commandLine: [binary, "emulator", "--port", "0", "--api-key", Self.panelKey, "--db", folder + "/panel.sqlite", "--seed", "5"],
                logPath: emulatorLog, environment: [:]))
        defer {
            emulator.kill(signal: SIGKILL)
            _ = emulator.poll()
        }
        let panelPort = try await Self.waitForPort(in: emulatorLog, after: "listening on http://127.0.0.1:", child: emulator)
        let keys = try Self.run(binary, ["keys", "new", "abby", "--dir", folder], input: "")
        #expect(keys.status == 0)
        let settings = folder + "/nightshift.toml"
        try "[approvals]\nrequired = 1\napprovers = [\n  \(keys.output.split(separator: "\n").first ?? ""),\n]\n"
            .write(toFile: settings, atomically: true, encoding: .utf8)
        try """
            -- Tops up the first reseller by 100 credits.
            local first = resellers.list()[1]
            resellers.add_credits(first.username, 100)
            """.write(toFile: folder + "/approved-topup.lua", atomically: true, encoding: .utf8)
        try """
            [scheduler]
            state = "state.sqlite"
            tick = 0.2

            [console]
            listen = "127.0.0.1:0"
            users = "users.toml"

            [[jobs]]
            name = "topup"
            script = "\(scripts)/topup.lua"
            schedule = "0 3 * * *"
            emulator = true
            args = { threshold = 500, amount = 250 }
            grant = { allow = ["resellers.list", "resellers.add_credits"], max_credits = 5000, max_credits_per_reseller = 250 }
            extra_args = ["--module-path", "\(scripts)/lib"]
            notify = { command = ["/bin/true"], on = ["failure", "outcome-unknown"] }

            [[jobs]]
            name = "approved-topup"
            script = "approved-topup.lua"
            schedule = "0 9 1 * *"
            panel = "http://127.0.0.1:\(panelPort)/"
            approval = "required"
            approval_timeout = "5m"
            timeout = "30s"
            grant = { allow = ["resellers.list", "resellers.add_credits"], max_credits = 100 }
            extra_args = ["--config", "\(settings)", "--state", "\(folder)/state"]

            [[jobs]]
            name = "weekday-report"
            script = "\(scripts)/report.lua"
            schedule = "30 6 * * 1-5"
            timezone = "Europe/Paris"
            emulator = true
            """.write(toFile: folder + "/jobs.toml", atomically: true, encoding: .utf8)
        let environment = [
            "NIGHTSHIFT_STATE_DIR": folder + "/state", "HOME": folder, "NIGHTSHIFT_CONFIG": settings,
            "NIGHTSHIFT_API_KEY": Self.panelKey,
        ]
        for (name, role) in [("otto", "operator"), ("abby", "approver"), ("vera", "viewer")] {
            let added = try Self.run(
                binary, ["console", "add-user", name, "--role", role, "--jobs", folder + "/jobs.toml", "--password-stdin"],
                input: "password-of-\(name)\n")
            #expect(added.status == 0 && added.output == "added console user \(name) (\(role)) in \(folder)/users.toml\n")
        }
        let users = try String(contentsOfFile: folder + "/users.toml", encoding: .utf8)
        #expect(!users.contains("password-of-") && users.contains("password_hash = \"$2b$12$"))

        let daemonLog = folder + "/daemon.log"
        let daemon = try ProcessLauncher().launch(
            RunRequest(
                job: "daemon", slot: 0, commandLine: [binary, "schedule", "--jobs", folder + "/jobs.toml"], logPath: daemonLog,
                environment: environment))
        defer {
            daemon.kill(signal: SIGKILL)
            _ = daemon.poll()
        }
        let port = try await Self.waitForPort(in: daemonLog, after: "url=http://127.0.0.1:", child: daemon)

        try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)
        let browserLog = folder + "/browser.log"
        let browser = try ProcessLauncher().launch(
            RunRequest(
                job: "browser", slot: 0,
                commandLine: [
                    "/usr/bin/env", "python3", Self.packageRoot.appendingPathComponent("Tests/ConsoleTests/Browser/console_browser.py").path,
                    "http://127.0.0.1:\(port)", Self.screenshots,
                ], logPath: browserLog, environment: ["SE_OFFLINE": "true", "HOME": folder]))
        // The browser and its driver go with the test, whatever happens: their process group.
        defer { browser.kill(signal: SIGKILL) }
        let exit = try await Self.waitForExit(browser, seconds: 300)
        let output = (try? String(contentsOfFile: browserLog, encoding: .utf8)) ?? ""
        #expect(
            exit == .exited(0),
            "the browser walk-through failed:\n\(output)\nthe daemon's log:\n\((try? String(contentsOfFile: daemonLog, encoding: .utf8)) ?? "")")
        let steps = output.split(separator: "\n").filter { $0.hasPrefix("STEP ") }.map { String($0.dropFirst(5)) }
        #expect(
            steps == [
                "log in", "see a job's next run", "run now, then the run appears with its log", "panel and audit", "pause",
                "log out", "approve a plan, which then applies",
                "a viewer sees no action buttons, and a forged POST by a viewer is refused",
            ])
        #expect(output.hasSuffix("DONE\n"))
        for page in ["login", "jobs", "history", "runs", "run", "panel", "audit", "console-actions", "plans", "plan", "refused"] {
            #expect(FileManager.default.fileExists(atPath: Self.screenshots + "/\(page).png"), "no screenshot of \(page)")
        }

        // What the browser did is in the stores, as the CLI would have done it.
        let audit = try AuditLog(path: folder + "/state/audit.sqlite")
        let runs = try audit.runPage(RunFilter(job: "topup"))
        #expect(runs.count == 1 && runs.first?.record.status == .succeeded && runs.first?.origin?.kind == "manual")
        let kept = try audit.keptPlans(limit: 10)
        #expect(kept.count == 1 && kept.first?.job == "approved-topup")
        let planID = try #require(kept.first?.id)
        let actions = try audit.consoleActions(limit: 100).reversed().map { "\($0.user) \($0.action) \($0.target) \($0.outcome)" }
        #expect(
            actions == [
                "otto login  done", "otto run now topup done", "otto pause topup done", "otto run now approved-topup done",
                "otto logout  done", "abby login  done", "abby approve \(planID) done", "abby logout  done", "vera login  done",
                "vera run now topup refused", "vera logout  done",
            ])
        let store: any SchedulerStore = try SQLiteStore(path: folder + "/state.sqlite")
        #expect(try await store.pausedOverrides() == ["topup": true])
        // The approved plan was applied by the run that waited for it, with abby's recorded approval.
        let approved = try #require(try await store.history(job: "approved-topup", limit: 1).first)
        #expect(approved.status == .succeeded && approved.writesSent == 1 && approved.creditsMoved == 100, "\(approved)")
        #expect(approved.reason?.contains("abby") == true, "\(approved.reason ?? "")")
        #expect(try audit.planUse(planID)?.state == "applied")
        let digest = try #require(try audit.keptPlan(planID)).digest
        #expect(try audit.recordedApprovals(planID, digest: digest) == ["abby"])
        await store.close()

        daemon.kill(signal: SIGTERM)
        #expect(try await Self.waitForExit(daemon, seconds: 30) == .exited(0))
    }

    /// The API key the emulator takes.
    static let panelKey = "console-browser-KEY-5c1e"

    /// The port in `child`'s log after `marker`: the console's (`console served …
    /// url=http://127.0.0.1:PORT/`) or the emulator's (`listening on http://127.0.0.1:PORT`).
    static func waitForPort(in log: String, after marker: String, child: any RunningChild) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: marker) {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            if child.poll() != nil { throw RawHTTP.Failure(description: "it ended:\n\(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RawHTTP.Failure(description: "no '\(marker)' in its log:\n\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    /// Waits for `child` to end (polling its state, as the daemon does), at most `seconds`.
    static func waitForExit(_ child: any RunningChild, seconds: Double) async throws -> ChildExit? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let exit = child.poll() { return exit }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Runs `executable` with `input` on its standard input; its status and standard output.
    static func run(_ executable: String, _ arguments: [String], input: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
