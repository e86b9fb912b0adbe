import Foundation
import GRDB
import Logging
import NightshiftCore
import Scheduler
import ScriptRuntime
import ScriptAPI
import RunRecords
import NightshiftConfig
import SharedRecords
import Testing
import TestScratch

@Suite("shared records: copying runs and writes to PostgreSQL")
struct ShippingTests {
    @Test("a finished run and its writes are copied with their host; copying again copies nothing and duplicates nothing")
    func idempotent() async throws {
        let settings = try await RecordsDatabase.fresh()
        let a = try HostLog(host: "host-a")
        let run = try a.finishedRun(writes: 3)

        let first = try await RecordsDatabase.ship(settings, from: a.audit, host: "unused")
        #expect(first.runs == 1 && first.writes == 3 && first.complete)
        let second = try await RecordsDatabase.ship(settings, from: a.audit, host: "unused")
        #expect(second.runs == 0 && second.writes == 0)

        // Even when the local marker is lost (copied, then killed before marking), a copy
        // made again leaves one row per run and per write.
        try clearMarks(a.audit)
        let again = try await RecordsDatabase.ship(settings, from: a.audit, host: "unused")
        #expect(again.runs == 1)

        let store = try await RecordsDatabase.open(settings)
        let runs = try await store.runs(limit: 100)
        let writes = try await store.writes(limit: 100)
        await store.close()
        #expect(runs.map(\.id) == [run])
        #expect(runs.first?.host == "host-a")
        #expect(runs.first?.status == .succeeded)
        #expect(writes.count == 3)
        #expect(writes.map(\.id) == [1, 2, 3])
        #expect(writes.allSatisfy { $0.host == "host-a" && $0.runID == run && $0.outcome == AuditOutcome.done })
        #expect(writes.map(\.location) == ["topup.lua:3", "topup.lua:4", "topup.lua:5"])
    }

    @Test("a fleet run's panel and fleet, and each write's panel and plan, are copied and read back")
    func fleetColumns() async throws {
        let settings = try await RecordsDatabase.fresh()
        let a = try HostLog(host: "host-a")
        let time = Timestamp.iso(Date())
        for (panel, id) in [("eu", "run-eu"), ("us", "run-us")] {
            try a.audit.startRun(
                RunRecords.RunRecord(
                    id: id, scriptPath: "scripts/topup.lua", scriptHash: "abc", arguments: "", grant: "resellers.add_credits",
                    mode: "live", startedAt: time, panel: panel, fleet: "fleet-1"))
            let row = try a.audit.record(
                AuditEntry(
                    time: time, runID: id, scriptPath: "scripts/topup.lua", scriptHash: "abc", endpoint: "resellers.add_credits",
                    target: "alice", parameters: "id=1&credits=5", mode: "live", outcome: AuditOutcome.unknown, creditChange: 5,
                    planID: panel == "eu" ? "plan-7" : nil, panel: panel))
            try a.audit.complete(row, outcome: AuditOutcome.done, answer: "{\"result\":true}")
            try a.audit.finishRun(id: id, endedAt: Timestamp.iso(Date()), status: .succeeded, output: "", error: nil)
        }
        try await RecordsDatabase.ship(settings, from: a.audit, host: "unused")

        let store = try await RecordsDatabase.open(settings)
        let runs = try await store.runs(limit: 100)
        let writes = try await store.writes(limit: 100)
        await store.close()
        #expect(Set(runs.map { "\($0.id) \($0.panel ?? "-") \($0.fleet ?? "-")" }) == ["run-eu eu fleet-1", "run-us us fleet-1"])
        #expect(Set(writes.map { "\($0.runID) \($0.panel ?? "-") \($0.planID ?? "-")" }) == ["run-eu eu plan-7", "run-us us -"])
    }

    @Test("a copy that fails leaves the rows pending; the next one copies them, once")
    func backlogAfterFailure() async throws {
        let settings = try await RecordsDatabase.fresh()
        let a = try HostLog(host: "host-a")
        let early = try a.finishedRun(writes: 2)

        await #expect(throws: StoreError.self) {
            try await SharedRecordsStore.ship(
                try RecordsDatabase.unreachable(), password: RecordsDatabase.password, from: a.audit, host: "host-a")
        }
        #expect(try a.audit.unshippedCount() == 1)

        let late = try a.finishedRun(writes: 1)
        let shipped = try await RecordsDatabase.ship(settings, from: a.audit, host: "host-a")
        #expect(shipped.runs == 2 && shipped.writes == 3)
        #expect(try a.audit.unshippedCount() == 0)
        let store = try await RecordsDatabase.open(settings)
        #expect(Set(try await store.runs().map(\.id)) == [early, late])
        #expect(try await store.writes().count == 3)
        await store.close()
    }

    @Test("a run still going is not copied; a run whose process is gone is copied as crashed, once")
    func runningAndCrashed() async throws {
        let settings = try await RecordsDatabase.fresh()
        let a = try HostLog(host: "host-a")
        let me = try #require(ProcessIdentity.current)
        let live = try a.startedRun(process: me)
        let dead = try a.startedRun(process: ProcessIdentity(pid: me.pid, startTime: me.startTime + 1))

        let shipped = try await RecordsDatabase.ship(settings, from: a.audit, host: "host-a")
        #expect(shipped.runs == 1)
        let store = try await RecordsDatabase.open(settings)
        let copied = try await store.runs()
        #expect(copied.map(\.id) == [dead])
        #expect(copied.first?.status == .crashed)
        // Its write was sent without an answer, and stays so.
        #expect(try await store.writes(runID: dead).map(\.outcome) == [AuditOutcome.unknown])
        #expect(try await RecordsDatabase.ship(settings, from: a.audit, host: "host-a").runs == 0)

        // The live run ends: now it is copied, with its final status.
        try a.audit.finishRun(id: live, endedAt: Timestamp.iso(Date()), status: .failed, output: "", error: "boom")
        #expect(try await RecordsDatabase.ship(settings, from: a.audit, host: "host-a").runs == 1)
        let after = try await store.runs(status: .failed)
        await store.close()
        #expect(after.map(\.id) == [live])
        #expect(after.first?.error == "boom")
    }

    @Test("runs recorded before hosts were are copied under the shipping host's name")
    func legacyHost() async throws {
        let settings = try await RecordsDatabase.fresh()
        let folder = Scratch.path("nightshift-records")
        let old = try AuditLog(path: folder + "/audit.sqlite")
        try old.startRun(
            RunRecords.RunRecord(id: "0123456789ab", scriptPath: "a.lua", scriptHash: "h", arguments: "", grant: "g", mode: "live",
                startedAt: Timestamp.iso(Date())))
        try old.finishRun(id: "0123456789ab", endedAt: Timestamp.iso(Date()), status: .succeeded, output: "", error: nil)
        try await RecordsDatabase.ship(settings, from: old, host: "box-7")
        let store = try await RecordsDatabase.open(settings)
        #expect(try await store.runs().map(\.host) == ["box-7"])
        await store.close()
    }

    @Test("a backlog larger than one batch is copied in order, all of it")
    func batches() async throws {
        let settings = try await RecordsDatabase.fresh()
        let a = try HostLog(host: "host-a")
        let ids = try (0..<7).map { i in try a.finishedRun(startedAt: "2026-01-01T00:00:0\(i).000Z", writes: 0) }
        let store = try await RecordsDatabase.open(settings)
        let shipped = try await store.ship(from: a.audit, host: "host-a", batch: 3)
        #expect(shipped.runs == 7)
        #expect(try await store.runs().map(\.id) == ids.reversed())
        await store.close()
    }

    @Test("an unreachable database's error names it without the password")
    func unreachableMessage() async throws {
        let error = await #expect(throws: StoreError.self) {
            try await SharedRecordsStore.open(try RecordsDatabase.unreachable(), password: "s3cret-pw", timeout: .seconds(3))
        }
        let text = try #require(error).description
        #expect(text == "postgres://nightshift@127.0.0.1:1/nowhere: cannot connect: connection refused")
        #expect(!text.contains("s3cret-pw"))
    }

    @Test("a wrong password is refused with the server's words, and the password is not in them")
    func wrongPassword() async throws {
        let settings = try await RecordsDatabase.fresh()
        let error = await #expect(throws: StoreError.self) {
            try await SharedRecordsStore.open(settings, password: "not-the-password-xyz", timeout: RecordsDatabase.patience)
        }
        let text = try #require(error).description
        #expect(text.contains("password authentication failed"))
        #expect(!text.contains("not-the-password-xyz"))
        if let real = RecordsDatabase.password { #expect(!text.contains(real)) }
    }

    /// Forgets every mark, as a process killed between a copy's commit and its marks would.
    private func clearMarks(_ audit: AuditLog) throws {
        try DatabaseQueue(path: audit.path).write { db in try db.execute(sql: "UPDATE runs SET shipped = NULL") }
    }
}

@Suite("shared records: the daemon's shipper")
struct ShipperTests {
    private let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test("asked once, it copies what is pending")
    func copiesOnRequest() async throws {
        let settings = try await RecordsDatabase.fresh()
        let a = try HostLog(host: "host-a")
        try a.finishedRun(writes: 2)
        let shipper = RecordShipper(
            settings: settings, password: RecordsDatabase.password, audit: a.audit, host: "host-a", logger: quiet,
            timeout: RecordsDatabase.patience)
        shipper.request()
        #expect(try await waitUntil { try a.audit.unshippedCount() == 0 })
        #expect(await shipper.isFailing == false)
    }

    @Test("while the database is down it never throws, keeps the rows and tries again on its own")
    func retriesOnItsOwn() async throws {
        let a = try HostLog(host: "host-a")
        try a.finishedRun()
        let shipper = RecordShipper(
            settings: try RecordsDatabase.unreachable(), password: nil, audit: a.audit, host: "host-a", logger: quiet,
            retry: .milliseconds(10)...(.milliseconds(40)))
        shipper.request()
        // One request, several passes: the retries come from the shipper itself.
        #expect(try await waitUntil { await shipper.completedPasses >= 3 })
        #expect(await shipper.isFailing)
        #expect(try a.audit.unshippedCount() == 1)
    }

    /// Polls `condition` every 20 ms for up to 60 s (waits on work in flight; asserts no time).
    private func waitUntil(_ condition: () async throws -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < end {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}
