import Scheduler
import Testing

@Suite("overlap policies")
struct OverlapPolicyTests {
    @Test("skip: a slot that comes while the previous run is going is recorded as skipped and not started", arguments: StoreKind.allCases)
    func skipPolicy(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let daemon = f.daemon([try job("* * * * *", overlap: .skip)])
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        await f.tick(daemon, at: "2026-05-01T00:02:00Z")
        #expect(f.launcher.slots == [at("2026-05-01T00:01:00Z")])
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.running, .skipped])
        #expect(history[1].slot == at("2026-05-01T00:02:00Z"))
        #expect(history[1].reason?.contains("still running") == true)
    }

    @Test("queue: one slot waits and starts when the run ends; a further slot is skipped", arguments: StoreKind.allCases)
    func queuePolicy(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let daemon = f.daemon([try job("* * * * *", overlap: .queue)])
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        await f.tick(daemon, at: "2026-05-01T00:02:00Z")
        await f.tick(daemon, at: "2026-05-01T00:03:00Z")
        #expect(f.launcher.slots.count == 1)
        f.launcher.children[0].finish()
        await f.tick(daemon, at: "2026-05-01T00:03:01Z")
        #expect(f.launcher.slots == [at("2026-05-01T00:01:00Z"), at("2026-05-01T00:02:00Z")])
        let statuses = try await f.history("topup").map(\.status)
        #expect(statuses == [.succeeded, .running, .skipped])
    }

    @Test("allow: a slot starts beside the run still going", arguments: StoreKind.allCases)
    func allowPolicy(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let daemon = f.daemon([try job("* * * * *", overlap: .allow)])
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        await f.tick(daemon, at: "2026-05-01T00:02:00Z")
        #expect(f.launcher.slots == [at("2026-05-01T00:01:00Z"), at("2026-05-01T00:02:00Z")])
        #expect(await daemon.runningCount == 2)
    }

    @Test("a run still going at timeout + kill_after is killed, recorded as timed out, and the next slot starts on time", arguments: StoreKind.allCases)
    func deadline(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let daemon = f.daemon([try job("* * * * *", timeout: 30)])
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        await f.tick(daemon, at: "2026-05-01T00:01:34Z")
        #expect(f.launcher.children[0].signals.isEmpty)
        await f.tick(daemon, at: "2026-05-01T00:01:35Z")
        #expect(f.launcher.children[0].signals == [9])
        await f.tick(daemon, at: "2026-05-01T00:02:00Z")
        #expect(f.launcher.slots == [at("2026-05-01T00:01:00Z"), at("2026-05-01T00:02:00Z")])
        #expect(try await f.history("topup").map(\.status) == [.timedOut, .running])
    }
}
