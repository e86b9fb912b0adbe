import Foundation
import NightshiftCore
import Scheduler
import Testing

@Suite("daemon behaviour with an injected clock")
struct DaemonBehaviourTests {
    @Test("a slot claimed by a daemon that died is marked interrupted and never run again", arguments: StoreKind.allCases)
    func interruptedSlotNotRerun(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let first = f.daemon([try job("* * * * *")])
        await f.tick(first, at: "2026-05-01T00:01:00Z")
        // The first daemon "dies": a new one starts on the same store within the same minute.
        let second = f.daemon([try job("* * * * *")])
        await f.tick(second, at: "2026-05-01T00:01:10Z")
        #expect(f.launcher.slots == [at("2026-05-01T00:01:00Z")])
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.interrupted])
        #expect(history[0].reason?.contains("stopped during the run") == true)
    }

    @Test("a slot whose row exists is not run again even if the job's progress was not saved", arguments: StoreKind.allCases)
    func claimedSlotNotRerun(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        _ = try await f.store.claim(job: "topup", slot: at("2026-05-01T00:01:00Z"), kind: .scheduled, status: .succeeded)
        let daemon = f.daemon([try job("* * * * *")])
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        #expect(f.launcher.slots.isEmpty)
    }

    @Test("jitter delays a slot's start by the job's fixed per-slot amount, within the jitter", arguments: StoreKind.allCases)
    func jitter(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let j = try job("0 * * * *", jitter: 600)
        let slot = at("2026-05-01T01:00:00Z")
        let delay = j.jitterDelay(forSlot: slot)
        #expect((1...600).contains(delay))
        let daemon = f.daemon([j])
        f.clock.set(Double(slot + delay - 1))
        await f.tick(daemon, now: Double(slot + delay - 1))
        #expect(f.launcher.slots.isEmpty)
        await f.tick(daemon, now: Double(slot + delay))
        #expect(f.launcher.slots == [slot])
    }

    @Test("a child that left no result is recorded from its exit code (4: outcome unknown)", arguments: StoreKind.allCases)
    func exitCodeMeaning(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let daemon = f.daemon([try job("* * * * *")])
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        f.launcher.children[0].finish(4)
        await f.tick(daemon, at: "2026-05-01T00:01:05Z")
        let run = try #require(try await f.history("topup").first)
        #expect(run.status == .outcomeUnknown)
        #expect(run.exitCode == 4)
        #expect(run.reason == "exited with status 4 (outcome unknown: a write got no usable answer; check the panel before running again)")
    }

    @Test("a child's result file decides its history row: status, error, run id, writes and credits", arguments: StoreKind.allCases)
    func receiptIsRecorded(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let daemon = f.daemon([try job("* * * * *")])
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        let line = f.launcher.children[0].request.commandLine
        let flag = try #require(line.firstIndex(of: "--result-file"))
        let path = line[flag + 1]
        // The real launcher makes the log folder; the scripted one starts nothing.
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try RunReceipt(
            runID: "r-42", status: .refused, exitCode: 2, error: "resellers.add_credits is not granted",
            errorKind: "not granted", writesSent: 3, creditsMoved: 150
        ).write(to: path)
        f.launcher.children[0].finish(2)
        await f.tick(daemon, at: "2026-05-01T00:01:05Z")
        let run = try #require(try await f.history("topup").first)
        #expect(run.status == .refused)
        #expect(run.reason == "resellers.add_credits is not granted")
        #expect(run.runID == "r-42")
        #expect(run.writesSent == 3)
        #expect(run.creditsMoved == 150)
        #expect(!FileManager.default.fileExists(atPath: path), "the result file is removed once recorded")
    }

    @Test("a jitter longer than late_after does not make a slot count as missed", arguments: StoreKind.allCases)
    func longJitterIsNotMissed(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let j = try job("0 * * * *", catchUp: .skip, jitter: 3600)
        let slot = at("2026-05-01T01:00:00Z")
        let delay = j.jitterDelay(forSlot: slot)
        #expect(delay > 60)
        let daemon = f.daemon([j])
        await f.tick(daemon, now: Double(slot + delay))
        #expect(f.launcher.slots == [slot])
        #expect(try await f.history("topup").map(\.kind) == [.scheduled])
    }

    @Test("a forward clock jump (suspend, NTP step) is an outage: the catch-up policy decides", arguments: StoreKind.allCases)
    func forwardJump(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:10Z", store: store)
        let daemon = f.daemon([try job("0 * * * *", catchUp: .once)])
        await f.tick(daemon, at: "2026-05-01T00:00:30Z")
        await f.tick(daemon, at: "2026-05-01T03:20:00Z")
        #expect(f.launcher.slots == [at("2026-05-01T03:00:00Z")])
        #expect(try await f.history("topup").last?.kind == .catchUp)
    }

    @Test("a backward clock jump never runs a slot twice", arguments: StoreKind.allCases)
    func backwardJump(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:59:00Z", store: store)
        let daemon = f.daemon([try job("0 * * * *", overlap: .allow)])
        await f.tick(daemon, at: "2026-05-01T01:00:00Z")
        await f.tick(daemon, at: "2026-05-01T00:30:00Z")
        await f.tick(daemon, at: "2026-05-01T01:00:00Z")
        await f.tick(daemon, at: "2026-05-01T02:00:00Z")
        #expect(f.launcher.slots == [at("2026-05-01T01:00:00Z"), at("2026-05-01T02:00:00Z")])
    }

    @Test("a job paused with the store skips its slots and does not replay them on resume", arguments: StoreKind.allCases)
    func pauseAndResume(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let daemon = f.daemon([try job("* * * * *")])
        let other = try await f.otherConnection()  // as `nightshift jobs pause` would
        try await other.setPaused(true, job: "topup", now: at("2026-05-01T00:00:40Z"))
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        await f.tick(daemon, at: "2026-05-01T00:02:00Z")
        #expect(f.launcher.slots.isEmpty)
        try await other.setPaused(false, job: "topup", now: at("2026-05-01T00:02:30Z"))
        await f.tick(daemon, at: "2026-05-01T00:03:00Z")
        #expect(f.launcher.slots == [at("2026-05-01T00:03:00Z")])
    }

    @Test("a trigger from another connection starts a manual run at the next tick", arguments: StoreKind.allCases)
    func trigger(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let daemon = f.daemon([try job("0 3 * * *")])
        await f.tick(daemon, at: "2026-05-01T00:00:40Z")
        try await f.otherConnection().addTrigger(job: "topup", at: at("2026-05-01T00:00:45Z"))
        await f.tick(daemon, at: "2026-05-01T00:00:46Z")
        #expect(f.launcher.slots == [at("2026-05-01T00:00:45Z")])
        #expect(try await f.history("topup").map(\.kind) == [.manual])
    }

    @Test("a fixed-time job in the hour skipped by DST runs once, at the transition", arguments: StoreKind.allCases)
    func dstSkippedHour(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-03-07T12:00:00Z", store: store)
        let daemon = f.daemon([try job("30 2 * * *", zone: "America/New_York")])
        var t = at("2026-03-07T12:00:00Z")
        while t < at("2026-03-09T12:00:00Z") {
            await f.tick(daemon, now: Double(t))
            t += 60
        }
        #expect(f.launcher.slots.map { ISO8601.format($0, in: try! ZoneRules(identifier: "America/New_York")) }
            == ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"])
    }

    @Test("through a fall-back night, a fixed-time job runs once and a wildcard-minute job in both passes", arguments: StoreKind.allCases)
    func dstRepeatedHour(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-11-01T03:00:00Z", store: store)
        let zone = try ZoneRules(identifier: "America/New_York")
        let daemon = f.daemon([
            try job("30 1 * * *", name: "fixed", zone: "America/New_York"),
            try job("*/30 1 * * *", name: "wildcard", zone: "America/New_York"),
        ])
        var t = at("2026-11-01T03:00:00Z")
        while t < at("2026-11-01T09:00:00Z") {
            await f.tick(daemon, now: Double(t))
            for child in f.launcher.children { child.finish() }
            t += 60
        }
        let runs = f.launcher.children.map { "\($0.request.job) \(ISO8601.format($0.request.slot, in: zone))" }
        #expect(runs == [
            "wildcard 2026-11-01T01:00:00-04:00", "fixed 2026-11-01T01:30:00-04:00", "wildcard 2026-11-01T01:30:00-04:00",
            "wildcard 2026-11-01T01:00:00-05:00", "wildcard 2026-11-01T01:30:00-05:00",
        ])
    }

    @Test("finished runs older than keep_history are deleted with their logs; newer ones stay", arguments: StoreKind.allCases)
    func pruning(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store, keepHistory: 7 * 86_400)
        let oldLog = f.directory.file("old.log")
        #expect(FileManager.default.createFile(atPath: oldLog, contents: Data("x".utf8)))
        let old = try #require(try await f.store.claim(job: "topup", slot: at("2026-04-20T00:00:00Z"), kind: .scheduled, status: .queued))
        try await f.store.markStarted(id: old, at: 0, pid: 1, pidStart: nil, log: oldLog)
        try await f.store.finish(id: old, status: .succeeded, at: 1, exitCode: 0)
        _ = try await f.store.claim(job: "topup", slot: at("2026-04-28T00:00:00Z"), kind: .scheduled, status: .skipped)
        let daemon = f.daemon([try job("0 3 * * *")])
        await f.tick(daemon, at: "2026-05-01T00:00:40Z")
        #expect(try await f.history("topup").map(\.slot) == [at("2026-04-28T00:00:00Z")])
        #expect(!FileManager.default.fileExists(atPath: oldLog))
    }

    @Test("a broken configuration on reload keeps the old jobs and says why", arguments: StoreKind.allCases)
    func brokenReload(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let daemon = f.daemon([try job("* * * * *")]) {
            try JobConfiguration(
                toml: "[[jobs]]\nname = \"topup\"\nscript = \"a.lua\"\nschedule = \"61 * * * *\"\n",
                fileName: "jobs.toml", baseDirectory: "/")
        }
        let problem = await daemon.reload()
        #expect(problem == "jobs.toml: job 'topup': schedule: cron: field 1 (minute) '61': value out of range 0-59")
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        #expect(f.launcher.slots == [at("2026-05-01T00:01:00Z")])
    }

    @Test("a reload that changes the schedule takes effect from the next slot", arguments: StoreKind.allCases)
    func goodReload(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let daemon = f.daemon([try job("0 * * * *")]) {
            try JobConfiguration(
                toml: "[[jobs]]\nname = \"topup\"\nscript = \"a.lua\"\nschedule = \"*/5 * * * *\"\n",
                fileName: "jobs.toml", baseDirectory: "/")
        }
        await f.tick(daemon, at: "2026-05-01T00:00:40Z")
        #expect(await daemon.reload() == nil)
        await f.tick(daemon, at: "2026-05-01T00:05:00Z")
        #expect(f.launcher.slots == [at("2026-05-01T00:05:00Z")])
    }
}
