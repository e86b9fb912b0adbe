import Foundation
import NightshiftCore
import Scheduler
import Testing

/// Several daemons on one PostgreSQL store sharing a burst: each claims only what it can
/// start, so more daemons mean more runs at once. The clock is a manual one, shared by the
/// daemons and (as its clock) by the store; children end when the test says.
@Suite("capacity across daemons on one PostgreSQL store")
struct CapacityTests {
    /// Daemons with their own host name, store connection and launcher, and a driver that
    /// moves the clock, ticks them, and ends each child `runLength` seconds after it started.
    final class Cluster {
        let clock: ManualClock
        let hosts: [String]
        var daemons: [SchedulerDaemon] = []
        var launchers: [ScriptedLauncher] = []
        var stores: [any SchedulerStore] = []
        private var startedAt: [ObjectIdentifier: Double] = [:]
        /// The most runs each daemon had at once, seen after each of its ticks.
        var peak: [String: Int] = [:]

        init(
            _ f: HostsFixture, hosts: [String], jobs: [Job], start: Double, maxRunning: [Int?]
        ) async throws {
            clock = ManualClock(start)
            self.hosts = hosts
            for (index, host) in hosts.enumerated() {
                let store = try await f.store(host: host, clock: clock)
                let launcher = ScriptedLauncher()
                stores.append(store)
                launchers.append(launcher)
                daemons.append(f.daemon(jobs, store: store, launcher: launcher, clock: clock, maxRunning: maxRunning[index]))
            }
        }

        /// Ticks daemon `index` at the clock's time, then notes the start of the children it launched.
        func tick(_ index: Int) async {
            await daemons[index].tick(now: clock.now())
            await note([index])
        }

        /// Ticks every daemon at the same moment, concurrently: their claims meet in the store.
        func tickTogether() async {
            let now = clock.now()
            await withTaskGroup(of: Void.self) { group in
                for daemon in daemons { group.addTask { await daemon.tick(now: now) } }
            }
            await note(Array(daemons.indices))
        }

        private func note(_ indices: [Int]) async {
            for index in indices {
                for child in launchers[index].children where startedAt[ObjectIdentifier(child)] == nil {
                    startedAt[ObjectIdentifier(child)] = clock.now()
                }
                peak[hosts[index], default: 0] = max(peak[hosts[index], default: 0], await daemons[index].runningCount)
            }
        }

        /// Ends every child that has run `length` seconds by the clock.
        func endRuns(after length: Double) {
            for launcher in launchers {
                for child in launcher.children where child.poll() == nil {
                    if let start = startedAt[ObjectIdentifier(child)], clock.now() - start >= length { child.finish() }
                }
            }
        }

        var launched: [ScriptedChild] { launchers.flatMap(\.children) }

        /// Runs per host, from the store's records of runs that started.
        func runsPerHost() async throws -> [String: Int] {
            let records = try await stores[0].history(job: nil, limit: 10_000)
            return Dictionary(grouping: records.filter { $0.startedAt != nil }, by: { $0.host ?? "-" }).mapValues(\.count)
        }
    }

    static let slot = Double(at("2026-05-01T00:01:00Z"))

    func burst(_ count: Int) throws -> [Job] {
        try (0..<count).map { try job("1 0 * * *", name: String(format: "job%03d", $0)) }
    }

    @Test("three daemons with max_running 10 and 150 two-second runs due at once: each holds at most 10, every run starts once, a third each, done in five rounds")
    func evenSpread() async throws {
        let f = try HostsFixture()
        let cluster = try await Cluster(
            f, hosts: ["a", "b", "c"], jobs: try burst(150), start: Self.slot - 30, maxRunning: [10, 10, 10])
        for index in 0..<3 { await cluster.tick(index) }
        var time = Self.slot
        while time <= Self.slot + 60 {
            cluster.clock.set(time)
            cluster.endRuns(after: 2)
            for index in 0..<3 { await cluster.tick(index) }
            if cluster.launched.count == 150 && cluster.launched.allSatisfy({ $0.poll() != nil }) { break }
            time += 0.5
        }
        #expect(cluster.peak.values.allSatisfy { $0 <= 10 }, "a daemon ran more than its max_running: \(cluster.peak)")
        let jobs = cluster.launched.map(\.request.job)
        #expect(jobs.count == 150 && Set(jobs).count == 150)
        #expect(try await cluster.runsPerHost() == ["a": 50, "b": 50, "c": 50])
        let records = try await cluster.stores[0].history(job: nil, limit: 1000)
        let first = try #require(records.compactMap(\.startedAt).min())
        let last = try #require(records.compactMap(\.finishedAt).max())
        #expect(first == Self.slot)
        #expect(last - first == 10, "five rounds of two seconds")
    }

    @Test("a daemon with max_running 20 takes twice the share of one with 10")
    func largerLimitTakesMore() async throws {
        let f = try HostsFixture()
        let cluster = try await Cluster(f, hosts: ["big", "small"], jobs: try burst(90), start: Self.slot - 30, maxRunning: [20, 10])
        for index in 0..<2 { await cluster.tick(index) }
        var time = Self.slot
        while cluster.launched.count < 90 || cluster.launched.contains(where: { $0.poll() == nil }), time <= Self.slot + 60 {
            cluster.clock.set(time)
            cluster.endRuns(after: 2)
            // The small daemon ticks first: it still takes no more than its places.
            await cluster.tick(1)
            await cluster.tick(0)
            time += 1
        }
        #expect(try await cluster.runsPerHost() == ["big": 60, "small": 30])
    }

    @Test("a daemon ticking every 0.1 s takes no more than its places: the daemons ticking every second still get their share")
    func shortTickDoesNotStarve() async throws {
        let f = try HostsFixture()
        let cluster = try await Cluster(
            f, hosts: ["fast", "slow1", "slow2"], jobs: try burst(150), start: Self.slot - 30, maxRunning: [10, 10, 10])
        for index in 0..<3 { await cluster.tick(index) }
        var step = 0
        while cluster.launched.count < 150 || cluster.launched.contains(where: { $0.poll() == nil }), step <= 600 {
            cluster.clock.set(Self.slot + Double(step) / 10)
            cluster.endRuns(after: 2)
            await cluster.tick(0)
            if step % 10 == 3 { await cluster.tick(1) }
            if step % 10 == 7 { await cluster.tick(2) }
            step += 1
        }
        let shares = try await cluster.runsPerHost()
        #expect(shares.values.reduce(0, +) == 150)
        // Each daemon holds at most 10, and one with a 1 s tick refills its places at most 1 s
        // after they free: its share is at least (2 / 3) x a third of the burst.
        #expect(shares.values.allSatisfy { $0 >= 30 }, "\(shares)")
        #expect((shares["fast"] ?? 0) <= 75, "\(shares)")
        #expect(cluster.peak.values.allSatisfy { $0 <= 10 })
    }

    @Test("a slot the ticking daemon has no place for waits for the next daemon with a free place")
    func fullDaemonLeavesTheSlot() async throws {
        let f = try HostsFixture()
        let jobs = [try job("1 0 * * *", name: "first"), try job("2 0 * * *", name: "second")]
        let cluster = try await Cluster(f, hosts: ["busy", "idle"], jobs: jobs, start: Self.slot - 30, maxRunning: [1, 1])
        cluster.clock.set(Self.slot)
        await cluster.tick(0)
        #expect(cluster.launchers[0].children.map(\.request.job) == ["first"])
        // The next slot: the busy daemon ticks first, offers it, and has no place.
        cluster.clock.set(Self.slot + 60)
        await cluster.tick(0)
        #expect(cluster.launchers[0].children.count == 1)
        #expect(try await cluster.stores[0].history(job: "second", limit: 1).first.map { [$0.status.rawValue, $0.host ?? "-"] } == ["queued", "-"])
        await cluster.tick(1)
        #expect(cluster.launchers[1].children.map(\.request.job) == ["second"])
    }

    @Test("a run no daemon has a place for within late_after is recorded skipped once, with the reason")
    func lateWhenEveryoneIsFull() async throws {
        let f = try HostsFixture()
        let jobs = [try job("1 0 * * *", name: "a"), try job("1 0 * * *", name: "b"), try job("2 0 * * *", name: "late")]
        let cluster = try await Cluster(f, hosts: ["one", "two"], jobs: jobs, start: Self.slot - 30, maxRunning: [1, 1])
        cluster.clock.set(Self.slot)
        for index in 0..<2 { await cluster.tick(index) }
        for second in [60.0, 120, 121] {
            cluster.clock.set(Self.slot + second)
            for index in 0..<2 { await cluster.tick(index) }
        }
        let late = try await cluster.stores[1].history(job: "late", limit: 5)
        #expect(late.map(\.status) == [.skipped])
        #expect(late.first?.reason == "missed: waited 61 s for a free place, more than late_after (1m)")
        #expect(cluster.launched.map(\.request.job).sorted() == ["a", "b"])
    }

    @Test("a pool of 4 never has more than 4 runs at once across three daemons claiming at the same moments, by the store's start and end records")
    func poolOfFour() async throws {
        let f = try HostsFixture(pools: ["panel-eu": 4])
        var jobs = try burst(40)
        for index in jobs.indices { jobs[index].pool = "panel-eu" }
        jobs += try (0..<6).map { try job("1 0 * * *", name: "free\($0)") }
        let cluster = try await Cluster(
            f, hosts: ["a", "b", "c"], jobs: jobs, start: Self.slot - 30, maxRunning: [10, 10, 10])
        await cluster.tickTogether()
        var step = 0
        while cluster.launched.count < 46 || cluster.launched.contains(where: { $0.poll() == nil }), step <= 400 {
            cluster.clock.set(Self.slot + Double(step) / 2)
            cluster.endRuns(after: 1.5)
            // The three claim at once: the store alone keeps the pool's size.
            await cluster.tickTogether()
            step += 1
        }
        let records = try await cluster.stores[0].history(job: nil, limit: 1000).filter { $0.job.hasPrefix("job") }
        #expect(records.count == 40 && records.allSatisfy { $0.status == .succeeded })
        #expect(records.mostAtOnce == 4, "at most 4 at once across the daemons, and the pool is used to its size")
        #expect(Set(records.compactMap(\.host)).count >= 2, "the pool's runs spread over the daemons")
    }

    @Test("max_running_cluster = 2 caps one job's runs across two daemons, whatever each daemon's own limit")
    func jobClusterLimit() async throws {
        let f = try HostsFixture()
        var every = try job("@every 1s", name: "often", overlap: .allow)
        every.maxRunningCluster = 2
        let cluster = try await Cluster(f, hosts: ["a", "b"], jobs: [every], start: Self.slot - 1, maxRunning: [10, 10])
        for second in 0..<20 {
            cluster.clock.set(Self.slot + Double(second))
            cluster.endRuns(after: 5)
            await cluster.tickTogether()
            let held = await cluster.daemons[0].runningCount + cluster.daemons[1].runningCount
            #expect(held <= 2, "\(held) runs of the job at once at second \(second)")
        }
        #expect(cluster.launched.count >= 6)
    }
}
