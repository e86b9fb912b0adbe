import Foundation
import Scheduler
import Testing

/// What every store promises the daemon, checked on both engines.
@Suite("the scheduler store contract")
struct StoreContractTests {
    @Test("record inserts a row held by this host, or a final one, once; a second record of the slot gets nil", arguments: StoreKind.allCases)
    func recordOnce(store kind: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: kind)
        let id = try #require(try await f.store.record(SlotClaim(job: "a", slot: 60, kind: .catchUp, status: .skipped, reason: "why")))
        #expect(try await f.otherConnection().record(SlotClaim(job: "a", slot: 60, kind: .scheduled, status: .queued)) == nil)
        let held = try #require(try await f.store.record(SlotClaim(job: "b", slot: 60, kind: .scheduled, status: .queued)))
        let history = try await f.store.history(job: nil, limit: 10)
        #expect(history.map(\.id) == [held, id])
        #expect(history.map(\.reason) == [nil, "why"])
        #expect(history.allSatisfy { $0.host == "test-host" })
        // A held row is this host's to reconcile after a restart; a skipped one is not.
        #expect(try await f.store.unfinishedRuns().map(\.record.id) == [held])
    }

    @Test("watermarks only move forward, whoever writes them", arguments: StoreKind.allCases)
    func cursorsMoveForward(store kind: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: kind)
        try await f.store.setCursors(["a": 120, "b": 60])
        try await f.otherConnection().setCursors(["a": 60, "b": 180])
        #expect(try await f.store.cursors() == ["a": 120, "b": 180])
    }

    @Test("a trigger is taken once, and only by a daemon that knows the job", arguments: StoreKind.allCases)
    func triggersTakenOnce(store kind: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: kind)
        try await f.store.addTrigger(job: "a", at: 10)
        try await f.store.addTrigger(job: "b", at: 11)
        let other = try await f.otherConnection()
        #expect(try await other.takeTriggers(jobs: ["b"]).map(\.job) == ["b"])
        #expect(try await f.store.takeTriggers(jobs: ["a", "b"]).map(\.job) == ["a"])
        #expect(try await other.takeTriggers(jobs: ["a", "b"]).isEmpty)
    }
}
