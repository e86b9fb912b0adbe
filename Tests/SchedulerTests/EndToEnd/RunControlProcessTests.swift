import Foundation
import NightshiftCore
import Scheduler
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real daemon running real `nightshift run` children: retries against a failing
/// emulator, crashes of a child and of the daemon, output caps and file modes.
@Suite("nightshift schedule: retries, crashes, output and file modes", .serialized)
struct RunControlProcessTests {
    /// A jobs file with `jobs` (TOML) after a `[scheduler]` table for the store under test.
    func writeJobs(_ dir: TemporaryDirectory, _ store: StoreUnderTest, _ jobs: String, scheduler: String = "") throws -> String {
        let path = dir.file("jobs.toml")
        try """
            [scheduler]
            state = "state.sqlite"
            \(store.schedulerLine)
            tick = 0.1
            lease = "1s"
            \(scheduler)

            \(jobs)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func script(_ dir: TemporaryDirectory, _ name: String, _ source: String) throws {
        try source.write(toFile: dir.file(name), atomically: true, encoding: .utf8)
    }

    func stop(_ daemon: any RunningChild) {
        guard daemon.poll() == nil else { return }
        daemon.signal(SIGTERM)
        if daemon.waitForExit() == nil {
            daemon.kill(signal: SIGKILL)
            daemon.waitForExit()
        }
    }

    /// A jobs file whose job `slow` is busy for `seconds` (the sandbox has no sleep), then
    /// prints `done`; it runs when triggered.
    func slowJob(_ dir: TemporaryDirectory, _ store: StoreUnderTest, seconds: Int) throws -> String {
        try script(
            dir, "slow.lua",
            """
            local started = os.time()
            while os.time() - started < tonumber(args.seconds) do end
            print("done")
            """)
        return try writeJobs(
            dir, store,
            """
            [[jobs]]
            name = "slow"
            script = "slow.lua"
            schedule = "@every 1h"
            args = { seconds = \(seconds) }
            timeout = "60s"
            emulator = true
            extra_args = ["--state", "\(dir.file("run-state"))"]
            """)
    }

    /// Triggers `slow` and returns its run once it is running.
    func startSlow(_ config: String, _ store: any SchedulerStore) async throws -> JobRun {
        #expect(try NightshiftBinary.run(["jobs", "trigger", "slow", "--jobs", config]).status == 0)
        #expect(try await eventually { try await store.history(job: "slow").first?.status == .running })
        return try #require(try await store.history(job: "slow").first)
    }

    @Test("against a panel answering HTTP 500: a run that could not read is retried to its last attempt; a write that got 500 (outcome unknown) is not", arguments: StoreKind.allCases)
    func retriesAgainstFailingPanel(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let panel = try await EmulatorProcess(dir, extra: ["--error-rate", "1"])
        try script(dir, "reads.lua", "print(#resellers.list())\n")
        try script(dir, "writes.lua", "resellers.add_credits('reseller1', 5)\n")
        var jobs = ""
        for (name, allow) in [("reads", "resellers.list"), ("writes", "resellers.add_credits")] {
            jobs += """
                [[jobs]]
                name = "\(name)"
                script = "\(name).lua"
                schedule = "0 0 1 1 *"
                grant = { allow = ["\(allow)"], max_credits = 100 }
                timeout = "20s"
                panel = "\(panel.url)"
                retry = { attempts = 3, delay = "1s", backoff = 1.0 }
                extra_args = ["--state", "\(dir.file("run-state"))"]


                """
        }
        let config = try writeJobs(dir, underTest, jobs)
        let store = try await underTest.open(dir)
        let daemon = try NightshiftBinary.start(
            ["schedule", "--jobs", config], log: dir.file("daemon.log"), environment: ["NIGHTSHIFT_API_KEY": EmulatorProcess.key])
        defer { stop(daemon) }
        for name in ["reads", "writes"] {
            #expect(try NightshiftBinary.run(["jobs", "trigger", name, "--jobs", config]).status == 0)
        }
        #expect(try await eventually(within: 60) {
            let reads = try await store.history(job: "reads")
            return reads.count == 3 && reads.allSatisfy(\.status.isFinal)
        })
        // A retry would be a row of its own, offered before the run's end is recorded (see
        // `SchedulerDaemon.retryIfWorthIt`): once the newest row is final, none is to come.
        #expect(try await eventually { try await store.history(job: "writes").first?.status.isFinal == true })
        stop(daemon)

        let reads = try await store.history(job: "reads").reversed()
        #expect(reads.map(\.attempt) == [1, 2, 3])
        #expect(Set(reads.map(\.slot)).count == 1)
        #expect(reads.allSatisfy { $0.status == .failed && $0.writesSent == 0 && $0.runID != nil })
        #expect(reads.first?.reason?.contains("transport failure") == true, "\(reads.first?.reason ?? "")")
        #expect(reads.last?.reason?.hasSuffix("no retry left (3 attempts)") == true, "\(reads.last?.reason ?? "")")
        let writes = try await store.history(job: "writes")
        #expect(writes.map(\.status) == [.outcomeUnknown])
        #expect(writes.map(\.attempt) == [1])
        #expect(writes.first?.writesSent == 1)
    }

    @Test("a child killed with kill -9 while the daemon runs is recorded crashed", arguments: StoreKind.allCases)
    func childKilled(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let config = try slowJob(dir, underTest, seconds: 30)
        let store = try await underTest.open(dir)
        let daemon = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon.log"))
        defer { stop(daemon) }
        let run = try await startSlow(config, store)
        kill(try #require(run.pid), SIGKILL)
        #expect(try await eventually { try await store.history(job: "slow").first?.status == .crashed })
        let crashed = try #require(try await store.history(job: "slow").first)
        #expect(crashed.signal == SIGKILL)
        #expect(crashed.reason?.hasPrefix("killed by signal 9 before it could report how the run ended") == true)
    }

    @Test("kill -9 of the daemon while a script runs: the child is not killed, a restart adopts it and records its real outcome", arguments: StoreKind.allCases)
    func daemonKilledChildFinishes(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let config = try slowJob(dir, underTest, seconds: 6)
        let store = try await underTest.open(dir)
        let first = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon1.log"))
        defer { stop(first) }
        let run = try await startSlow(config, store)
        let pid = try #require(run.pid)
        let identity = try #require(ProcessIdentity.of(pid).map { String($0.startTime) })
        first.signal(SIGKILL)
        #expect(first.waitForExit() == .signaled(SIGKILL))
        // The child does not die with its daemon: it is still there, and (below) runs to its
        // end, which the restart records.
        #expect(ProcessIdentity.isRunning(pid: pid, identity: identity))

        let second = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon2.log"))
        defer { stop(second) }
        #expect(try await eventually { try await store.history(job: "slow").first?.status.isFinal == true })
        stop(second)
        let recorded = try #require(try await store.history(job: "slow").first { $0.id == run.id })
        #expect(recorded.status == .succeeded, "\(recorded.reason ?? "")")
        #expect(recorded.runID != nil)
        #expect(try String(contentsOfFile: try #require(recorded.log), encoding: .utf8).contains("done"))
        #expect(try await store.history(job: "slow").count == 1)
        let adoptedOrRead = (try? String(contentsOfFile: dir.file("daemon2.log"), encoding: .utf8)) ?? ""
        #expect(adoptedOrRead.contains("adopted a run that outlived the previous daemon"))
    }

    @Test("daemon and child both killed: history shows crashed once the lease lapses, and a restart records crashed", arguments: StoreKind.allCases)
    func bothKilled(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let config = try slowJob(dir, underTest, seconds: 30)
        let store = try await underTest.open(dir)
        let daemon = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon1.log"))
        defer { stop(daemon) }
        let run = try await startSlow(config, store)
        daemon.signal(SIGKILL)
        daemon.waitForExit()
        kill(try #require(run.pid), SIGKILL)

        func shown() throws -> String {
            try NightshiftBinary.run(["history", "slow", "--jobs", config, "--json"]).output
        }
        let sawCrashed = try await eventually { try shown().contains("\"status\" : \"crashed\"") }
        #expect(sawCrashed, "\((try? shown()) ?? "")")
        // Only shown: the store still says running until a daemon records it.
        #expect(try await store.history(job: "slow").first?.status == .running)

        let second = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon2.log"))
        defer { stop(second) }
        #expect(try await eventually { try await store.history(job: "slow").first?.status == .crashed })
    }

    @Test("a run's log is capped at max_output and created 0600, in folders created 0700; the state file is 0600")
    func outputCapAndModes() async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(.sqlite)
        try script(dir, "loud.lua", "local line = string.rep('x', 99)\nfor i = 1, 100000 do print(line) end\nprint('end of script')\n")
        let config = try writeJobs(
            dir, underTest,
            """
            [[jobs]]
            name = "loud"
            script = "loud.lua"
            schedule = "@every 1h"
            max_output = "16K"
            timeout = "60s"
            emulator = true
            extra_args = ["--state", "\(dir.file("run-state"))"]
            """,
            scheduler: "logs = \"private/runs\"")
        let store = try await underTest.open(dir)
        let daemon = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon.log"))
        defer { stop(daemon) }
        #expect(try NightshiftBinary.run(["jobs", "trigger", "loud", "--jobs", config]).status == 0)
        #expect(try await eventually { try await store.history(job: "loud").first?.status.isFinal == true })
        stop(daemon)
        let run = try #require(try await store.history(job: "loud").first)
        #expect(run.status == .succeeded, "\(run.reason ?? "")")
        let log = try #require(run.log)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: log)[.size] as? Int)
        // The cap, plus the run's own few lines (its header, the notice, its summary).
        #expect(size <= 16 * 1024 + 1024, "log is \(size) bytes")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("output passed the run's limit of 16 KiB"))
        #expect(!text.contains("end of script"))

        func mode(_ path: String) throws -> Int {
            try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        }
        #expect(try mode(log) == 0o600)
        #expect(try mode((log as NSString).deletingLastPathComponent) == 0o700)
        #expect(try mode(dir.file("private/runs")) == 0o700)
        #expect(try mode(dir.file("private")) == 0o700)
        #expect(try mode(dir.file("state.sqlite")) == 0o600)
    }
}
