import Foundation
import Scheduler
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real daemon (`nightshift schedule`) running real child processes.
@Suite("nightshift schedule with real processes", .serialized)
struct DaemonProcessTests {
    /// A jobs file whose one job runs a shell command in place of `nightshift run`.
    func writeJobs(
        _ directory: TemporaryDirectory, _ store: StoreUnderTest, schedule: String, timeout: String, shell: String,
        grace: String = "5s"
    ) throws -> String {
        let path = directory.file("jobs.toml")
        let toml = """
            [scheduler]
            state = "state.sqlite"
            \(store.schedulerLine)
            tick = 0.1
            shutdown_grace = "\(grace)"
            kill_after = "0s"

            [[jobs]]
            name = "probe"
            schedule = "\(schedule)"
            timeout = "\(timeout)"
            command = ["/bin/sh", "-c", "\(shell)"]
            """
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Processes of a process group that are not zombies, read from /proc.
    func liveProcesses(inGroup group: Int32) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { entry in
            guard Int32(entry) != nil,
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After "pid (comm)": state, ppid, pgrp.
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == group
        }
    }

    func stop(_ daemon: any RunningChild) {
        if daemon.poll() == nil {
            daemon.signal(SIGTERM)
            if daemon.waitForExit() == nil {
                daemon.kill(signal: SIGKILL)
                daemon.waitForExit()
            }
        }
    }

    @Test("kill -9 of the daemon mid-run: the child finishes, a restart adopts it, and no slot runs twice", arguments: StoreKind.allCases)
    func crashMidRun(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let starts = dir.file("starts.txt")
        let ends = dir.file("ends.txt")
        let config = try writeJobs(
            dir, underTest, schedule: "@every 2s", timeout: "60s",
            // The first run outlives its daemon; later runs end at once.
            shell: "echo $NIGHTSHIFT_SLOT >> \(starts); if [ ! -e \(dir.file("first")) ]; then : > \(dir.file("first")); sleep 8; fi; echo $NIGHTSHIFT_SLOT >> \(ends)")
        let store = try await underTest.open(dir)

        let first = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon1.log"))
        defer { stop(first) }
        // The long run is the first one started; a later run is running only for milliseconds.
        var running: JobRun?
        _ = try await eventually {
            let firstSlot = lines(starts).first
            running = try await store.history(job: "probe").first { $0.status == .running && String($0.slot) == firstSlot }
            return running != nil
        }
        let cutOff = try #require(running)
        first.signal(SIGKILL)
        #expect(first.waitForExit() == .signaled(SIGKILL))

        let second = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon2.log"))
        defer { stop(second) }
        #expect(try await eventually { try await store.history(job: "probe").first { $0.id == cutOff.id }?.status.isFinal == true })
        #expect(try await eventually { try await store.history(job: "probe").filter { $0.status == .succeeded }.count >= 2 })
        stop(second)

        let history = try await store.history(job: "probe")
        let adopted = try #require(history.first { $0.id == cutOff.id })
        // A custom command reports no outcome; a `nightshift run` child is recorded from its receipt (below).
        #expect(adopted.status == .interrupted)
        #expect(adopted.reason?.contains("outlived the daemon that started it") == true, "\(adopted.reason ?? "")")
        let started = lines(starts)
        #expect(Set(started).count == started.count, "a slot ran twice: \(started)")
        #expect(started.contains(String(cutOff.slot)))
        // The child of the cut-off run was not killed with its daemon, nor on restart: it finished.
        #expect(lines(ends).contains(String(cutOff.slot)))
        #expect(lines(dir.file("daemon2.log")).contains { $0.contains("adopted a run that outlived the previous daemon") })
        #expect(history.allSatisfy { $0.status != .running && $0.status != .queued })
    }

    @Test("a child that crashes (SIGSEGV) is recorded as failed with its signal and the daemon runs on", arguments: StoreKind.allCases)
    func crashingChild(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let config = try writeJobs(dir, underTest, schedule: "@every 1s", timeout: "10s", shell: "kill -SEGV $$")
        let store = try await underTest.open(dir)
        let daemon = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon.log"))
        defer { stop(daemon) }
        #expect(try await eventually { try await store.history(job: "probe").filter { $0.status == .failed }.count >= 2 })
        #expect(daemon.poll() == nil)
        let failed = try await store.history(job: "probe").filter { $0.status == .failed }
        #expect(failed.allSatisfy { $0.signal == SIGSEGV && $0.reason == "killed by signal \(SIGSEGV)" })
    }

    @Test("a job whose script hangs is killed at its deadline and the next slot still runs as scheduled", arguments: StoreKind.allCases)
    func hangingJob(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let config = try writeJobs(dir, underTest, schedule: "@every 3s", timeout: "1s", shell: "sleep 100")
        let store = try await underTest.open(dir)
        let daemon = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon.log"))
        defer { stop(daemon) }
        #expect(try await eventually { try await store.history(job: "probe").filter { $0.status == .timedOut }.count >= 3 })
        stop(daemon)

        let runs = try await store.history(job: "probe").reversed().filter { $0.status == .timedOut }
        let slots = runs.map(\.slot)
        // Consecutive slots: none was skipped because the previous run was still hanging.
        #expect(zip(slots, slots.dropFirst()).allSatisfy { $1 - $0 == 3 }, "slots: \(slots)")
        #expect(runs.allSatisfy { $0.kind == .scheduled && $0.signal == 9 })
        // The whole process group is gone, the `sleep` included.
        for run in runs { #expect(liveProcesses(inGroup: run.pid ?? -1).isEmpty) }
    }

    @Test("SIGTERM lets a run that ends within the grace period finish and be recorded as succeeded", arguments: StoreKind.allCases)
    func gracefulFinish(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let config = try writeJobs(dir, underTest, schedule: "@every 1s", timeout: "5m", shell: "sleep 1", grace: "20s")
        let store = try await underTest.open(dir)
        let daemon = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon.log"))
        defer { stop(daemon) }
        #expect(try await eventually { try await store.history(job: "probe").contains { $0.status == .running } })
        let running = try #require(try await store.history(job: "probe").first { $0.status == .running })
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == .exited(0))
        #expect(try await store.history(job: "probe").first { $0.id == running.id }?.status == .succeeded)
    }

    @Test("SIGTERM lets the daemon exit within its grace period, recording an unfinished run as cancelled", arguments: StoreKind.allCases)
    func gracefulShutdown(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let config = try writeJobs(dir, underTest, schedule: "@every 1s", timeout: "5m", shell: "sleep 100", grace: "1s")
        let store = try await underTest.open(dir)
        let daemon = try NightshiftBinary.start(["schedule", "--jobs", config], log: dir.file("daemon.log"))
        defer { stop(daemon) }
        #expect(try await eventually { try await store.history(job: "probe").contains { $0.status == .running } })
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == .exited(0))
        let history = try await store.history(job: "probe")
        #expect(history.contains { $0.status == .cancelled })
        #expect(history.allSatisfy { $0.status != .running })
    }

    @Test("by default each run is a child `nightshift run SCRIPT` with the job's arguments and grant", arguments: StoreKind.allCases)
    func realRunner(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        try "print('hello from ' .. args.who .. ', ' .. #resellers.list() .. ' resellers')\n"
            .write(toFile: dir.file("hello.lua"), atomically: true, encoding: .utf8)
        try """
            [scheduler]
            state = "state.sqlite"
            \(underTest.schedulerLine)
            tick = 0.1

            [[jobs]]
            name = "hello"
            script = "hello.lua"
            schedule = "@every 1s"
            args = { who = "the daemon" }
            grant = { allow = ["resellers.list"] }
            timeout = "20s"
            emulator = true
            extra_args = ["--state", "\(dir.file("run-state"))"]
            """.write(toFile: dir.file("jobs.toml"), atomically: true, encoding: .utf8)
        let store = try await underTest.open(dir)
        let daemon = try NightshiftBinary.start(["schedule", "--jobs", dir.file("jobs.toml")], log: dir.file("daemon.log"))
        defer { stop(daemon) }
        #expect(try await eventually { try await store.history(job: "hello").contains { $0.status.isFinal && $0.status != .skipped } })
        stop(daemon)
        let run = try #require(try await store.history(job: "hello").last { $0.status.isFinal && $0.status != .skipped })
        let output = (try? String(contentsOfFile: run.log ?? "", encoding: .utf8)) ?? ""
        #expect(run.status == .succeeded, "\(output)")
        #expect(output.contains("hello from the daemon"), "\(output)")
    }

    @Test("SIGHUP with a broken jobs file keeps the old jobs running and logs why", arguments: StoreKind.allCases)
    func reloadBrokenConfig(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let config = try writeJobs(dir, underTest, schedule: "@every 1s", timeout: "5s", shell: "true")
        let store = try await underTest.open(dir)
        let log = dir.file("daemon.log")
        let daemon = try NightshiftBinary.start(["schedule", "--jobs", config], log: log)
        defer { stop(daemon) }
        #expect(try await eventually { try await store.history(job: "probe").contains { $0.status == .succeeded } })
        try "[[jobs]]\nname = \"probe\"\nschedule = \"0 0 32 * *\"\nscript = \"x.lua\"\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(await eventually { self.lines(log).contains { $0.contains("configuration not reloaded") } })
        let before = try await store.history(job: "probe").count
        #expect(try await eventually { try await store.history(job: "probe").count >= before + 2 })
        #expect(lines(log).contains { $0.contains("cron: field 3 (day of month) '32': value out of range 1-31") })
    }

    @Test("a run's child does not inherit the database password from the daemon's environment", arguments: StoreKind.allCases)
    func passwordNotInherited(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let seen = dir.file("seen.txt")
        let config = try writeJobs(
            dir, underTest, schedule: "@every 1s", timeout: "5s", shell: "echo pw=${PGPASSWORD:-none} >> \(seen)")
        let store = try await underTest.open(dir)
        let daemon = try NightshiftBinary.start(
            ["schedule", "--jobs", config], log: dir.file("daemon.log"), environment: ["PGPASSWORD": TestPostgres.password ?? "pw-for-sqlite"])
        defer { stop(daemon) }
        #expect(try await eventually { try await store.history(job: "probe").contains { $0.status == .succeeded } })
        stop(daemon)
        let lines = lines(seen)
        #expect(!lines.isEmpty && lines.allSatisfy { $0 == "pw=none" }, "\(lines)")
    }
}
