import Scheduler
import Testing

/// The daemon ran until 00:00:30, was down, and a new one starts at 03:20 (hourly job):
/// the slots of 01:00, 02:00 and 03:00 were missed.
@Suite("catch-up policies after downtime")
struct CatchUpPolicyTests {
    func afterOutage(_ policy: CatchUpPolicy, restart: String = "2026-05-01T03:20:00Z", store: StoreKind) async throws
        -> (DaemonFixture, SchedulerDaemon)
    {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:10Z", store: store)
        let before = f.daemon([try job("0 * * * *", catchUp: policy)])
        await f.tick(before, at: "2026-05-01T00:00:30Z")
        f.clock.set(Double(at(restart)))
        let after = f.daemon([try job("0 * * * *", catchUp: policy)])
        await f.tick(after, at: restart)
        return (f, after)
    }

    @Test("skip: no missed slot runs; one skipped row says how many were missed", arguments: StoreKind.allCases)
    func skip(store: StoreKind) async throws {
        let (f, _) = try await afterOutage(.skip, store: store)
        #expect(f.launcher.slots.isEmpty)
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.skipped])
        #expect(history[0].slot == at("2026-05-01T03:00:00Z"))
        #expect(history[0].reason?.contains("3 slots") == true)
    }

    @Test("once: only the most recent missed slot runs, as a catch-up run; the others are noted as skipped", arguments: StoreKind.allCases)
    func once(store: StoreKind) async throws {
        let (f, _) = try await afterOutage(.once, store: store)
        #expect(f.launcher.slots == [at("2026-05-01T03:00:00Z")])
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.skipped, .running])
        #expect(history.map(\.kind) == [.catchUp, .catchUp])
        #expect(history[1].slot == at("2026-05-01T03:00:00Z"))
    }

    @Test("once: no catch-up run when an on-time slot is due in the same tick", arguments: StoreKind.allCases)
    func onceWithOnTimeSlot(store: StoreKind) async throws {
        let (f, _) = try await afterOutage(.once, restart: "2026-05-01T03:00:20Z", store: store)
        #expect(f.launcher.slots == [at("2026-05-01T03:00:00Z")])
        #expect(try await f.history("topup").map(\.kind) == [.catchUp, .scheduled])
        #expect(try await f.history("topup").map(\.status) == [.skipped, .running])
    }

    @Test("all: every missed slot runs, oldest first, one after another", arguments: StoreKind.allCases)
    func all(store: StoreKind) async throws {
        let (f, daemon) = try await afterOutage(.all, store: store)
        #expect(f.launcher.slots == [at("2026-05-01T01:00:00Z")])
        f.launcher.children[0].finish()
        await f.tick(daemon, at: "2026-05-01T03:20:01Z")
        f.launcher.children[1].finish()
        await f.tick(daemon, at: "2026-05-01T03:20:02Z")
        #expect(f.launcher.slots == ["01", "02", "03"].map { at("2026-05-01T\($0):00:00Z") })
    }

    @Test("within 30m: the latest missed slot runs when it is 20 minutes old", arguments: StoreKind.allCases)
    func withinWindow(store: StoreKind) async throws {
        let (f, _) = try await afterOutage(.within(seconds: 1800), store: store)
        #expect(f.launcher.slots == [at("2026-05-01T03:00:00Z")])
    }

    @Test("within 10m: the latest missed slot is skipped when it is 20 minutes old", arguments: StoreKind.allCases)
    func outsideWindow(store: StoreKind) async throws {
        let (f, _) = try await afterOutage(.within(seconds: 600), store: store)
        #expect(f.launcher.slots.isEmpty)
        #expect(try await f.history("topup").map(\.status) == [.skipped])
    }

    @Test("a job seen for the first time does not catch up slots from before it existed", arguments: StoreKind.allCases)
    func newJobHasNoBacklog(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T03:20:00Z", store: store)
        let daemon = f.daemon([try job("0 * * * *", catchUp: .all)])
        await f.tick(daemon, at: "2026-05-01T03:20:00Z")
        #expect(f.launcher.slots.isEmpty)
        await f.tick(daemon, at: "2026-05-01T04:00:00Z")
        #expect(f.launcher.slots == [at("2026-05-01T04:00:00Z")])
    }
}
