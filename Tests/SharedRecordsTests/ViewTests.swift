import NightshiftCore
import Foundation
import Scheduler
import ScriptRuntime
import ScriptAPI
import RunRecords
import NightshiftConfig
import SharedRecords
import Testing

@Suite("shared records: what runs and audit show")
struct ViewTests {
    @Test("each host sees every host's copied runs and writes, plus its own not copied yet, each naming its host")
    func everyHost() async throws {
        let settings = try await RecordsDatabase.fresh()
        let a = try HostLog(host: "host-a")
        let b = try HostLog(host: "host-b")
        let a1 = try a.finishedRun(startedAt: "2026-03-01T10:00:00.000Z", writes: 1)
        let b1 = try b.finishedRun(startedAt: "2026-03-01T10:00:01.000Z", writes: 2)
        try await RecordsDatabase.ship(settings, from: a.audit, host: "host-a")
        try await RecordsDatabase.ship(settings, from: b.audit, host: "host-b")
        // Still going on host A: only A knows it.
        let a2 = try a.startedRun(startedAt: "2026-03-01T10:00:02.000Z", writes: 1, process: ProcessIdentity.current)

        let store = try await RecordsDatabase.open(settings)
        let fromA = try await SharedRecordsView.runs(shared: store, local: a.audit)
        #expect(fromA.map(\.id) == [a2, b1, a1])
        #expect(fromA.map(\.host) == ["host-a", "host-b", "host-a"])
        #expect(fromA.first?.status == .running)
        let fromB = try await SharedRecordsView.runs(shared: store, local: b.audit)
        #expect(fromB.map(\.id) == [b1, a1])

        let writesFromA = try await SharedRecordsView.writes(shared: store, local: a.audit)
        #expect(writesFromA.map(\.runID) == [a1, b1, b1, a2])
        #expect(writesFromA.map(\.host) == ["host-a", "host-b", "host-b", "host-a"])
        #expect(try await SharedRecordsView.writes(shared: store, local: b.audit, runID: a2).isEmpty)
        #expect(try await SharedRecordsView.writes(shared: store, local: b.audit, runID: b1).count == 2)
        await store.close()
    }

    @Test("filters and the limit apply to the merged rows")
    func filters() async throws {
        let settings = try await RecordsDatabase.fresh()
        let a = try HostLog(host: "host-a")
        let b = try HostLog(host: "host-b")
        let ok = try a.finishedRun(status: .succeeded, startedAt: "2026-03-01T10:00:00.000Z")
        let failed = try b.finishedRun(status: .failed, startedAt: "2026-03-01T10:00:01.000Z")
        try await RecordsDatabase.ship(settings, from: b.audit, host: "host-b")
        let pending = try a.finishedRun(status: .failed, startedAt: "2026-03-01T10:00:02.000Z")

        let store = try await RecordsDatabase.open(settings)
        #expect(try await SharedRecordsView.runs(shared: store, local: a.audit, status: .failed).map(\.id) == [pending, failed])
        #expect(try await SharedRecordsView.runs(shared: store, local: a.audit, limit: 2).map(\.id) == [pending, failed])
        #expect(try await SharedRecordsView.runs(shared: store, local: a.audit, script: "TOPUP").count == 3)
        #expect(try await SharedRecordsView.runs(shared: store, local: a.audit, status: .succeeded).map(\.id) == [ok])
        #expect(try await SharedRecordsView.writes(shared: store, local: a.audit, limit: 1).map(\.runID) == [pending])
        await store.close()
    }
}
