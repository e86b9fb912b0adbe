import Scheduler
import Testing

@Suite("max_running")
struct MaxRunningTests {
    @Test("1,000 jobs due in the same minute with max_running 50: never more than 50 at once, each slot started once, in claim order", arguments: StoreKind.allCases)
    func thousandJobs(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store, maxRunning: 50)
        let jobs = try (0..<1000).map { try job("1 0 * * *", name: String(format: "job%04d", $0)) }
        let daemon = f.daemon(jobs)
        var second = at("2026-05-01T00:01:00Z")
        await f.tick(daemon, now: Double(second))
        #expect(f.launcher.children.count == 50)
        #expect(await daemon.runningCount == 50)
        while f.launcher.children.count < 1000 && second < at("2026-05-01T00:01:30Z") {
            let before = f.launcher.children.count
            for child in f.launcher.children.suffix(50) { child.finish() }
            second += 1
            await f.tick(daemon, now: Double(second))
            #expect(await daemon.runningCount <= 50)
            #expect(f.launcher.children.count == min(before + 50, 1000))
        }
        #expect(second == at("2026-05-01T00:01:19Z"))
        let started = f.launcher.children.map(\.request.job)
        #expect(Set(started).count == 1000)
        let history = try await f.store.history(job: nil, limit: 2000)
        #expect(history.count == 1000)
        // Same slot for all: they start in the order they were claimed.
        let ids = Dictionary(uniqueKeysWithValues: history.map { ($0.job, $0.id) })
        #expect(started.map { ids[$0]! } == started.map { ids[$0]! }.sorted())
    }

    @Test("a run waiting for a free place starts before newer slots, and one that waits past late_after is recorded skipped", arguments: StoreKind.allCases)
    func waitsInSlotOrder(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store, maxRunning: 1)
        let daemon = f.daemon([
            try job("1 0 * * *", name: "hold"),
            try job("3 0 * * *", name: "a-newer"),
            try job("2 0 * * *", name: "b-older"),
            try job("4 0 * * *", name: "c-late"),
        ])
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        await f.tick(daemon, at: "2026-05-01T00:02:00Z")
        await f.tick(daemon, at: "2026-05-01T00:03:00Z")
        #expect(f.launcher.children.map(\.request.job) == ["hold"])
        f.launcher.children[0].finish()
        await f.tick(daemon, at: "2026-05-01T00:03:10Z")
        #expect(f.launcher.children.map(\.request.job) == ["hold", "b-older"])
        f.launcher.children[1].finish()
        await f.tick(daemon, at: "2026-05-01T00:03:20Z")
        #expect(f.launcher.children.map(\.request.job) == ["hold", "b-older", "a-newer"])

        // c-late becomes due while a-newer holds the only place, and waits.
        await f.tick(daemon, at: "2026-05-01T00:04:00Z")
        await f.tick(daemon, at: "2026-05-01T00:05:00Z")
        #expect(try await f.history("c-late").map(\.status) == [.queued])
        await f.tick(daemon, at: "2026-05-01T00:05:01Z")
        let late = try await f.history("c-late")
        #expect(late.map(\.status) == [.skipped])
        #expect(late.first?.reason == "missed: waited 61 s for a free place, more than late_after (1m)")
        f.launcher.children[2].finish()
        await f.tick(daemon, at: "2026-05-01T00:05:02Z")
        #expect(f.launcher.children.count == 3)
        #expect(await daemon.runningCount == 0)
    }

    @Test("a pool smaller than max_running caps the pool's jobs, oldest first; other jobs take the remaining places", arguments: StoreKind.allCases)
    func poolOnOneDaemon(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store, maxRunning: 10, pools: ["eu": 3])
        var pooled = try (0..<6).map { try job("1 0 * * *", name: "eu\($0)", overlap: .allow) }
        for index in pooled.indices { pooled[index].pool = "eu" }
        var own = try job("1 0 * * *", name: "own", overlap: .allow)
        own.maxRunningCluster = 1
        let daemon = f.daemon(pooled + [own] + (try (0..<4).map { try job("1 0 * * *", name: "other\($0)") }))
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        let first = f.launcher.children.map(\.request.job)
        #expect(first.filter { $0.hasPrefix("eu") } == ["eu0", "eu1", "eu2"])
        #expect(first.filter { !$0.hasPrefix("eu") }.sorted() == ["other0", "other1", "other2", "other3", "own"])
        for child in f.launcher.children where child.request.job == "eu1" { child.finish() }
        await f.tick(daemon, at: "2026-05-01T00:01:01Z")
        #expect(f.launcher.children.map(\.request.job).suffix(1) == ["eu3"])
        #expect(await daemon.runningCount == 8)
    }

    @Test("without max_running every due run starts at once")
    func unlimited() async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: .sqlite)
        let daemon = f.daemon(try (0..<200).map { try job("1 0 * * *", name: "job\($0)") })
        await f.tick(daemon, at: "2026-05-01T00:01:00Z")
        #expect(f.launcher.children.count == 200)
    }
}
