import Foundation
import Scheduler
import Testing

/// What every store promises the daemon, checked on both engines.
@Suite("the scheduler store contract")
struct StoreContractTests {
    @Test("claimAll gives each claim its row id when won and nil when the slot was taken, in order", arguments: StoreKind.allCases)
    func claimAll(store kind: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: kind)
        let taken = try #require(try await f.store.claim(job: "b", slot: 60, kind: .scheduled, status: .queued))
        let ids = try await f.store.claimAll([
            SlotClaim(job: "c", slot: 60, kind: .scheduled, status: .queued),
            SlotClaim(job: "b", slot: 60, kind: .scheduled, status: .queued),
            SlotClaim(job: "a", slot: 60, kind: .scheduled, status: .skipped, reason: "why"),
        ])
        #expect(ids.count == 3 && ids[0] != nil && ids[1] == nil && ids[2] != nil)
        #expect(!ids.contains(taken))
        let history = try await f.store.history(job: nil, limit: 10)
        #expect(Set(history.map(\.job)) == ["a", "b", "c"])
        #expect(history.first { $0.job == "a" }?.reason == "why")
        #expect(history.first { $0.job == "c" }?.reason == nil)
        #expect(history.allSatisfy { $0.host == "test-host" })
    }

    @Test("a claim whose slot is not yet due in the database's clock is refused, alone or in a batch")
    func notYetDue() async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: .postgres)
        let now = at("2026-05-01T00:00:30Z")
        #expect(try await f.store.claim(SlotClaim(job: "a", slot: now + 30, kind: .scheduled, status: .queued, notBefore: now + 30)) == nil)
        let ids = try await f.store.claimAll([
            SlotClaim(job: "a", slot: now + 30, kind: .scheduled, status: .queued, notBefore: now + 1),
            SlotClaim(job: "b", slot: now, kind: .scheduled, status: .queued, notBefore: now),
        ])
        #expect(ids[0] == nil && ids[1] != nil)
        f.clock.set(Double(now + 30))
        #expect(try await f.store.claim(SlotClaim(job: "a", slot: now + 30, kind: .scheduled, status: .queued, notBefore: now + 30)) != nil)
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
