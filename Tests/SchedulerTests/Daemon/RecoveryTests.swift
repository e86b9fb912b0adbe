import Foundation
import NightshiftCore
import Scheduler
import Testing

/// What a restarted daemon does with the runs an earlier daemon of its host left queued or
/// running: the earlier daemon "dies" by being dropped, the store keeps its rows.
@Suite("restart after a daemon crash")
struct RecoveryTests {
    func logPath(_ f: DaemonFixture, slot: Int64, id: Int64) -> String {
        f.settings.logDirectory + "/topup/\(slot)-\(id).log"
    }

    func receiptPath(_ log: String) -> String { String(log.dropLast(4)) + ".receipt.json" }

    /// A run at `slot` whose daemon died while its child (a real process standing in for the
    /// orphaned `nightshift run`) still runs.
    func orphanedRun(_ f: DaemonFixture, slot: Int64) async throws -> (log: String, orphan: any RunningChild) {
        let id = try #require(try await f.store.claim(job: "topup", slot: slot, kind: .scheduled, status: .queued))
        let log = logPath(f, slot: slot, id: id)
        let orphan = try ProcessLauncher().launch(
            RunRequest(job: "topup", slot: slot, commandLine: ["/bin/sleep", "30"], logPath: log, environment: [:]))
        try await f.store.markStarted(id: id, at: Double(slot), pid: orphan.pid, pidStart: orphan.identity, log: log)
        return (log, orphan)
    }

    @Test("a run claimed but never started (no log file) runs after a restart within late_after, once", arguments: StoreKind.allCases)
    func neverStartedRuns(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let slot = at("2026-05-01T00:01:00Z")
        let id = try #require(try await f.store.claim(job: "topup", slot: slot, kind: .scheduled, status: .queued))
        f.clock.set(Double(slot + 50))
        let daemon = f.daemon([try job("0 * * * *")])
        await f.tick(daemon, now: Double(slot + 50))
        #expect(f.launcher.slots == [slot])
        let history = try await f.history("topup")
        #expect(history.map(\.id) == [id])
        #expect(history.map(\.status) == [.running])
    }

    @Test("a run claimed but never started is recorded interrupted when its time is more than late_after ago", arguments: StoreKind.allCases)
    func neverStartedTooLate(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let slot = at("2026-05-01T00:01:00Z")
        _ = try await f.store.claim(job: "topup", slot: slot, kind: .scheduled, status: .queued)
        f.clock.set(Double(slot + 61))
        let daemon = f.daemon([try job("0 * * * *")])
        await f.tick(daemon, now: Double(slot + 61))
        #expect(f.launcher.slots.isEmpty)
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.interrupted])
        #expect(history[0].reason == "the daemon stopped before the run started; not run after the restart: its time was more than late_after (1m) ago. Nothing was sent")
    }

    @Test("a queued run whose log file exists may have started: it is never started again", arguments: StoreKind.allCases)
    func maybeStarted(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let slot = at("2026-05-01T00:01:00Z")
        let id = try #require(try await f.store.claim(job: "topup", slot: slot, kind: .scheduled, status: .queued))
        let log = logPath(f, slot: slot, id: id)
        try FileManager.default.createDirectory(atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        f.clock.set(Double(slot + 5))
        let daemon = f.daemon([try job("0 * * * *")])
        await f.tick(daemon, now: Double(slot + 5))
        #expect(f.launcher.slots.isEmpty)
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.interrupted])
        #expect(history[0].reason?.hasPrefix("the daemon stopped while starting the run; it may have run") == true)
    }

    @Test("a run whose child ended while no daemon watched it is recorded from its receipt, and retried when worth it", arguments: StoreKind.allCases)
    func endedWhileDown(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let slot = at("2026-05-01T01:00:00Z")
        let id = try #require(try await f.store.claim(job: "topup", slot: slot, kind: .scheduled, status: .queued))
        let log = logPath(f, slot: slot, id: id)
        // A pid no process has (above the kernel's limit), so the child is surely gone.
        try await f.store.markStarted(id: id, at: Double(slot), pid: 4_194_305, pidStart: "12345", log: log)
        try FileManager.default.createDirectory(atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try RunReceipt(
            runID: "r-down", status: .failed, exitCode: 1, error: "resellers.list: transport failure: connection refused",
            errorKind: "transport failure"
        ).write(to: receiptPath(log))
        f.clock.set(Double(slot + 20))
        let daemon = f.daemon([try job("0 * * * *", retry: JobRetryPolicy(attempts: 2, delay: 30))])
        await f.tick(daemon, now: Double(slot + 20))
        var history = try await f.history("topup")
        #expect(history.map(\.status) == [.failed, .queued])
        #expect(history[0].runID == "r-down")
        #expect(history[0].reason?.contains("recorded after a daemon restart, from the run's receipt; retry 2 of 2") == true)
        #expect(!FileManager.default.fileExists(atPath: receiptPath(log)))
        await f.tick(daemon, now: Double(slot + 50))
        #expect(f.launcher.slots == [slot])
        history = try await f.history("topup")
        #expect(history.map(\.attempt) == [1, 2])
    }

    /// What observers (metrics, notifications) heard of finished runs.
    final class FinishedRuns: SchedulerEvents, @unchecked Sendable {
        private let lock = NSLock()
        private var runs: [JobRun] = []
        var finished: [JobRun] { lock.withLock { runs } }
        func runStarted(_ run: JobRun, job: Job) {}
        func runFinished(_ run: JobRun, job: Job?, retrying: Bool) { lock.withLock { runs.append(run) } }
        func slotSkipped(_ run: JobRun, job: Job, missed: Int) {}
        func ticked(_ tick: SchedulerTick) {}
    }

    @Test("a fleet run recorded from its receipt after a restart tells observers each panel's outcome (per-panel metrics)")
    func fleetEndedWhileDown() async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: .sqlite)
        let slot = at("2026-05-01T01:00:00Z")
        let id = try #require(try await f.store.claim(job: "topup", slot: slot, kind: .scheduled, status: .queued))
        let log = logPath(f, slot: slot, id: id)
        try await f.store.markStarted(id: id, at: Double(slot), pid: 4_194_305, pidStart: "12345", log: log)
        try FileManager.default.createDirectory(atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var receipt = RunReceipt(runID: "fleet-1", status: .failed, exitCode: 11, error: "1 of 2 panels failed: us", writesSent: 3, creditsMoved: 30)
        receipt.panels = [
            PanelOutcome(panel: "eu", runID: "r-eu", status: .succeeded, exitCode: 0, writesSent: 3, creditsMoved: 30),
            PanelOutcome(panel: "us", runID: "r-us", status: .failed, exitCode: 5, error: "connection refused", errorKind: "transport failure"),
        ]
        try receipt.write(to: receiptPath(log))
        f.clock.set(Double(slot + 20))
        let events = FinishedRuns()
        let daemon = f.daemon([try job("0 * * * *")], events: events)
        await f.tick(daemon, now: Double(slot + 20))
        let finished = try #require(events.finished.first)
        #expect(finished.status == .failed)
        #expect(finished.panels?.map { "\($0.panel) \($0.status.rawValue) \($0.writesSent)" } == ["eu succeeded 3", "us failed 0"])
    }

    @Test("a run whose child ended while no daemon watched it and left no receipt is recorded crashed", arguments: StoreKind.allCases)
    func crashedWhileDown(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let slot = at("2026-05-01T01:00:00Z")
        let id = try #require(try await f.store.claim(job: "topup", slot: slot, kind: .scheduled, status: .queued))
        try await f.store.markStarted(id: id, at: Double(slot), pid: 4_194_305, pidStart: "12345", log: logPath(f, slot: slot, id: id))
        f.clock.set(Double(slot + 20))
        let daemon = f.daemon([try job("0 * * * *", retry: JobRetryPolicy(attempts: 2, delay: 30))])
        await f.tick(daemon, now: Double(slot + 20))
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.crashed])
        #expect(f.launcher.slots.isEmpty)
    }

    @Test("a child that outlived its daemon is adopted: watched until it ends, then recorded from its receipt", arguments: StoreKind.allCases)
    func adopted(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let slot = at("2026-05-01T01:00:00Z")
        let (log, orphan) = try await orphanedRun(f, slot: slot)
        defer { orphan.kill(signal: SIGKILL); _ = orphan.waitForExit() }

        f.clock.set(Double(slot + 20))
        let daemon = f.daemon([try job("0 * * * *")])
        await f.tick(daemon, now: Double(slot + 20))
        #expect(await daemon.runningCount == 1)
        await f.tick(daemon, now: Double(slot + 21))
        #expect(try await f.history("topup").map(\.status) == [.running])

        try RunReceipt(runID: "r-orphan", status: .succeeded, exitCode: 0, writesSent: 2, creditsMoved: 100).write(to: receiptPath(log))
        orphan.kill(signal: SIGTERM)
        #expect(orphan.waitForExit() != nil)
        await f.tick(daemon, now: Double(slot + 22))
        #expect(await daemon.runningCount == 0)
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.succeeded])
        #expect(history[0].runID == "r-orphan")
        #expect(history[0].writesSent == 2)
        #expect(f.launcher.slots.isEmpty)
    }

    @Test("an adopted child still running at its deadline is killed and recorded timed out", arguments: StoreKind.allCases)
    func adoptedDeadline(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let slot = at("2026-05-01T01:00:00Z")
        let (_, orphan) = try await orphanedRun(f, slot: slot)
        defer { orphan.kill(signal: SIGKILL); _ = orphan.waitForExit() }
        let daemon = f.daemon([try job("0 * * * *", timeout: 60)])
        await f.tick(daemon, now: Double(slot + 20))
        #expect(await daemon.runningCount == 1)
        // timeout 60 s + kill_after 5 s after its start.
        await f.tick(daemon, now: Double(slot + 65))
        #expect(orphan.waitForExit(within: 5) == .signaled(SIGKILL))
        await f.tick(daemon, now: Double(slot + 66))
        #expect(try await f.history("topup").map(\.status) == [.timedOut])
    }
}

@Suite("a store that stops answering")
struct UnreachableStoreTests {
    @Test("a run that ends while the store does not answer is recorded, in order, once it answers again", arguments: StoreKind.allCases)
    func endKeptUntilStoreAnswers(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let flaky = UnreachableStore(f.store)
        let daemon = f.daemon([try job("* * * * *", overlap: .allow), try job("* * * * *", name: "other")], store: flaky)
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        #expect(f.launcher.children.count == 2)
        flaky.unreachable = true
        let child = { (name: String) in f.launcher.children.first { $0.request.job == name }! }
        try child("topup").finish(RunReceipt(runID: "r-1", status: .succeeded, exitCode: 0, writesSent: 1))
        await f.tick(daemon, at: "2026-05-01T00:01:05Z")
        child("other").finish(4)
        await f.tick(daemon, at: "2026-05-01T00:01:06Z")
        #expect(await daemon.runningCount == 0)
        #expect(try await f.store.history(job: nil).map(\.status) == [.running, .running])
        // Until the end is recorded, the receipt stays: a restart would read the end from it.
        let receipt = try #require(child("topup").receiptPath)
        #expect(FileManager.default.fileExists(atPath: receipt))
        flaky.unreachable = false
        await f.tick(daemon, at: "2026-05-01T00:01:07Z")
        #expect(!FileManager.default.fileExists(atPath: receipt))
        let topup = try await f.history("topup")
        #expect(topup.map(\.status) == [.succeeded])
        #expect(topup[0].runID == "r-1")
        #expect(topup[0].finishedAt == Double(at("2026-05-01T00:01:05Z")))
        #expect(try await f.history("other").map(\.status) == [.outcomeUnknown])
    }
}
