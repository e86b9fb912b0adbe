import Foundation
import NightshiftCore
import Scheduler
import Testing

/// What every store promises about offers, claims, pools and daemons, checked on both
/// engines. Several connections with their own host names stand for several daemons.
@Suite("the scheduler store contract: offers, claims and pools")
struct StoreCapacityTests {
    static let t0 = Double(at("2026-05-01T00:01:00Z"))

    func offer(
        _ job: String, slot: Int64 = at("2026-05-01T00:01:00Z"), ready: Double = t0, kind: RunKind = .scheduled,
        attempt: Int = 1, overlap: OverlapPolicy = .allow, pool: String? = nil
    ) -> SlotOffer {
        SlotOffer(job: job, slot: slot, kind: kind, attempt: attempt, readyAt: ready, overlap: overlap, pool: pool)
    }

    func fixture(_ kind: StoreKind) async throws -> DaemonFixture {
        try await DaemonFixture(start: "2026-05-01T00:01:00Z", store: kind)
    }

    @Test("an offered slot waits, held by no host; offering it again from any connection gets nil", arguments: StoreKind.allCases)
    func offerOnce(store kind: StoreKind) async throws {
        let f = try await fixture(kind)
        let first = try await f.store.offer([offer("a"), offer("b")], at: Self.t0)
        #expect(first.map { $0?.status } == [.queued, .queued])
        #expect(try await f.connection(host: "host-b").offer([offer("a")], at: Self.t0) == [nil])
        let history = try await f.store.history(job: nil, limit: 10)
        #expect(history.count == 2 && history.allSatisfy { $0.status == .queued && $0.host == nil })
        // Waiting rows are nobody's to reconcile after a restart.
        #expect(try await f.store.unfinishedRuns().isEmpty)
        #expect(try await f.store.snapshot(at: Self.t0, lateAfter: 60).waiting == 2)
    }

    @Test("claim takes at most `limit` waiting runs whose time has come, oldest ready first, only of the jobs given", arguments: StoreKind.allCases)
    func claimOldestFirst(store kind: StoreKind) async throws {
        let f = try await fixture(kind)
        _ = try await f.store.offer(
            [
                offer("a", ready: Self.t0 - 10), offer("b", ready: Self.t0 - 20), offer("c", ready: Self.t0 - 5),
                offer("d", ready: Self.t0 + 30), offer("elsewhere", ready: Self.t0 - 30),
            ], at: Self.t0)
        let jobs: Set<String> = ["a", "b", "c", "d"]
        let first = try await f.store.claim(jobs: jobs, limit: 2, at: Self.t0)
        #expect(Set(first.map(\.job)) == ["a", "b"])
        #expect(first.allSatisfy { $0.host == "test-host" && $0.status == .queued })
        // d is not due yet in the store's clock; "elsewhere" is a job this daemon does not know.
        #expect(try await f.store.claim(jobs: jobs, limit: 5, at: Self.t0).map(\.job) == ["c"])
        f.clock.set(Self.t0 + 30)
        #expect(try await f.store.claim(jobs: jobs, limit: 5, at: Self.t0 + 30).map(\.job) == ["d"])
        #expect(Set(try await f.store.unfinishedRuns().map(\.record.job)) == jobs)
    }

    @Test("connections claiming at once never take the same run, and between them take every one", arguments: StoreKind.allCases)
    func concurrentClaims(store kind: StoreKind) async throws {
        let f = try await fixture(kind)
        _ = try await f.store.offer((0..<60).map { offer("job\($0)") }, at: Self.t0)
        let jobs = Set((0..<60).map { "job\($0)" })
        var stores: [any SchedulerStore] = []
        for host in ["host-a", "host-b", "host-c"] { stores.append(try await f.connection(host: host)) }
        let taken = try await withThrowingTaskGroup(of: [JobRun].self) { group in
            for store in stores {
                group.addTask {
                    var mine: [JobRun] = []
                    while true {
                        let claimed = try await store.claim(jobs: jobs, limit: 7, at: Self.t0)
                        if claimed.isEmpty { return mine }
                        mine += claimed
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(taken.count == 60)
        #expect(Set(taken.map(\.id)).count == 60)
        let history = try await f.store.history(job: nil, limit: 100)
        #expect(history.allSatisfy { $0.host != nil })
        #expect(Dictionary(grouping: taken, by: { $0.host! }).allSatisfy { host, runs in runs.allSatisfy { $0.host == host } })
    }

    @Test("a serial job's waiting runs are claimed one at a time, oldest first, never beside a run of it held by another host", arguments: StoreKind.allCases)
    func serialJobOneAtATime(store kind: StoreKind) async throws {
        let f = try await fixture(kind)
        let b = try await f.connection(host: "host-b")
        // Catch-up replays wait their turn whatever the policy: two waiting runs of one job.
        _ = try await f.store.offer(
            [offer("s", slot: 60, kind: .catchUp, overlap: .skip), offer("s", slot: 120, kind: .catchUp, overlap: .skip)],
            at: Self.t0)
        let first = try await f.store.claim(jobs: ["s"], limit: 5, at: Self.t0)
        #expect(first.map(\.slot) == [60])
        #expect(try await b.claim(jobs: ["s"], limit: 5, at: Self.t0).isEmpty)
        f.clock.set(Self.t0 + 1)
        try await f.store.finish(id: first[0].id, status: .succeeded, at: Self.t0 + 1)
        #expect(try await b.claim(jobs: ["s"], limit: 5, at: Self.t0 + 1).map(\.slot) == [120])
    }

    @Test("the overlap policy is applied at the offer, against every host's runs of the job", arguments: StoreKind.allCases)
    func overlapAcrossHosts(store kind: StoreKind) async throws {
        let f = try await fixture(kind)
        let b = try await f.connection(host: "host-b")
        // skip: host-a holds a run of the job; host-b's offer of the next slot is skipped.
        _ = try await f.store.offer([offer("skip", slot: 60, overlap: .skip)], at: Self.t0)
        #expect(try await f.store.claim(jobs: ["skip"], limit: 1, at: Self.t0).count == 1)
        let skipped = try await b.offer([offer("skip", slot: 120, overlap: .skip)], at: Self.t0)
        #expect(skipped.first??.status == .skipped)
        #expect(skipped.first??.reason == OverlapSkip.running.reason)
        #expect(try await b.history(job: "skip", limit: 1).first?.host == "host-b")
        // queue: one run waits behind the held one; a third is skipped.
        _ = try await f.store.offer([offer("queue", slot: 60, overlap: .queue)], at: Self.t0)
        _ = try await f.store.claim(jobs: ["queue"], limit: 1, at: Self.t0)
        let queued = try await b.offer(
            [offer("queue", slot: 120, overlap: .queue), offer("queue", slot: 180, overlap: .queue)], at: Self.t0)
        #expect(queued.map { $0?.status } == [.queued, .skipped])
        #expect(queued[1]?.reason == OverlapSkip.queueFull.reason)
        // skip, with only a retry of an earlier slot waiting.
        _ = try await f.store.offer([offer("retry", slot: 60, attempt: 2, overlap: .skip)], at: Self.t0)
        let behindRetry = try await b.offer([offer("retry", slot: 120, overlap: .skip)], at: Self.t0)
        #expect(behindRetry.first??.reason == OverlapSkip.retryWaiting.reason)
        // allow never skips.
        _ = try await f.store.offer([offer("allow", slot: 60)], at: Self.t0)
        _ = try await f.store.claim(jobs: ["allow"], limit: 1, at: Self.t0)
        #expect(try await b.offer([offer("allow", slot: 120)], at: Self.t0).first??.status == .queued)
    }

    @Test("a pool caps the runs held across hosts however many connections claim at once; an end gives its place back once", arguments: StoreKind.allCases)
    func poolAcrossHosts(store kind: StoreKind) async throws {
        let f = try await fixture(kind)
        try await f.store.setPools(["eu": 4])
        let pooled = (0..<20).map { "eu\($0)" }
        let free = (0..<5).map { "free\($0)" }
        _ = try await f.store.offer(pooled.map { offer($0, pool: "eu") } + free.map { offer($0) }, at: Self.t0)
        let jobs = Set(pooled + free)
        var stores: [any SchedulerStore] = []
        for host in ["host-a", "host-b", "host-c"] { stores.append(try await f.connection(host: host)) }
        let taken = try await withThrowingTaskGroup(of: [JobRun].self) { group in
            for store in stores { group.addTask { try await store.claim(jobs: jobs, limit: 10, at: Self.t0) } }
            var all: [JobRun] = []
            for try await claimed in group { all += claimed }
            // A second round: places are all taken, whatever each connection saw before.
            for store in stores { all += try await store.claim(jobs: jobs, limit: 10, at: Self.t0) }
            return all
        }
        #expect(taken.filter { $0.job.hasPrefix("eu") }.count == 4)
        #expect(taken.filter { $0.job.hasPrefix("free") }.count == 5)
        #expect(try await f.store.clusterStatus().pools == [ClusterStatus.Pool(name: "eu", size: 4, held: 4)])
        let ended = try #require(taken.first { $0.job.hasPrefix("eu") })
        try await f.store.finish(id: ended.id, status: .succeeded, at: Self.t0 + 1)
        // Recorded again (an end kept while the store was down): the place is not given back twice.
        try await f.store.finish(id: ended.id, status: .succeeded, at: Self.t0 + 1)
        #expect(try await stores[1].claim(jobs: jobs, limit: 10, at: Self.t0 + 1).map { $0.job.hasPrefix("eu") } == [true])
        #expect(try await stores[2].claim(jobs: jobs, limit: 10, at: Self.t0 + 1).isEmpty)
        #expect(try await f.store.clusterStatus().pools.first?.held == 4)
    }

    @Test("a waiting run nobody claimed within late_after is recorded skipped once, whichever daemons sweep at once", arguments: StoreKind.allCases)
    func lateRunSkippedOnce(store kind: StoreKind) async throws {
        let f = try await fixture(kind)
        try await f.store.setPools(["eu": 1])
        _ = try await f.store.offer(
            [offer("plain"), offer("pooled", pool: "eu"), offer("own", pool: "job:own"), offer("s", slot: 60, overlap: .skip)],
            at: Self.t0)
        // s waits behind a run of its own job that host-a holds: it waits for the job, not for a place.
        let held = try #require(try await f.store.record(SlotClaim(job: "s", slot: 0, kind: .scheduled, status: .queued)))
        f.clock.set(Self.t0 + 60)
        // Its host is alive: it renews the run's lease (with PostgreSQL another host would
        // otherwise record it interrupted).
        #expect(try await f.store.renewLeases(ids: [held]).isEmpty)
        #expect(try await f.store.snapshot(at: Self.t0 + 60, lateAfter: 60).late == false)
        #expect(try await f.store.skipLate(lateAfter: 60, at: Self.t0 + 60).isEmpty)
        f.clock.set(Self.t0 + 61)
        #expect(try await f.store.snapshot(at: Self.t0 + 61, lateAfter: 60).late)
        let (a, b) = (f.store, try await f.connection(host: "host-b"))
        async let sweptByA = a.skipLate(lateAfter: 60, at: Self.t0 + 61)
        async let sweptByB = b.skipLate(lateAfter: 60, at: Self.t0 + 61)
        let missed = try await sweptByA + sweptByB
        #expect(missed.map(\.job).sorted() == ["own", "plain", "pooled"])
        #expect(missed.allSatisfy { $0.status == .skipped && $0.finishedAt == Self.t0 + 61 })
        let reasons = Dictionary(uniqueKeysWithValues: missed.map { ($0.job, $0.reason ?? "") })
        #expect(reasons["plain"] == "missed: waited 61 s for a free place, more than late_after (1m)")
        #expect(reasons["pooled"] == "missed: waited 61 s for a free place (pool eu), more than late_after (1m)")
        #expect(reasons["own"] == "missed: waited 61 s for a free place (max_running_cluster), more than late_after (1m)")
        let rows = try await f.store.history(job: nil, limit: 10)
        #expect(rows.filter { $0.status == .skipped }.count == 3)
        #expect(rows.first { $0.job == "plain" }?.reason == reasons["plain"])
        #expect(try await f.store.snapshot(at: Self.t0 + 61, lateAfter: 60).late == false)
        // Once the job's run ends, s waits for a place from that end: late 61 s after it.
        try await f.store.finish(id: held, status: .succeeded, at: Self.t0 + 100)
        f.clock.set(Self.t0 + 160)
        #expect(try await f.store.skipLate(lateAfter: 60, at: Self.t0 + 160).isEmpty)
        f.clock.set(Self.t0 + 161)
        let late = try await b.skipLate(lateAfter: 60, at: Self.t0 + 161)
        #expect(late.map(\.job) == ["s"])
        #expect(late.first?.reason == "missed: waited 61 s for a free place, more than late_after (1m)")
    }

    @Test("jobs status reads each daemon's heartbeat with the runs it holds, the pools and the waiting runs", arguments: StoreKind.allCases)
    func clusterStatus(store kind: StoreKind) async throws {
        let f = try await fixture(kind)
        let b = try await f.connection(host: "host-b")
        try await f.store.recordDaemon(DaemonHeartbeat(pid: 11, startedAt: Self.t0 - 60, lastTick: Self.t0, tick: 1, maxRunning: 10))
        try await b.recordDaemon(
            DaemonHeartbeat(pid: 22, startedAt: Self.t0 - 60, lastTick: Self.t0 - 5, tick: 0.5, maxRunning: nil, stoppedAt: Self.t0 - 5))
        try await f.store.setPools(["eu": 4])
        _ = try await f.store.offer((0..<5).map { offer("job\($0)", pool: $0 == 0 ? "eu" : nil) }, at: Self.t0)
        _ = try await f.store.claim(jobs: ["job0", "job1"], limit: 2, at: Self.t0)
        let status = try await f.store.clusterStatus()
        #expect(status.daemons.map(\.host) == ["host-b", "test-host"])
        let a = try #require(status.daemons.last)
        #expect(a.running == 2 && a.free == 8)
        #expect(a.heartbeat == DaemonHeartbeat(pid: 11, startedAt: Self.t0 - 60, lastTick: Self.t0, tick: 1, maxRunning: 10))
        #expect(status.daemons.first?.heartbeat.stoppedAt == Self.t0 - 5 && status.daemons.first?.free == nil)
        #expect(status.pools == [ClusterStatus.Pool(name: "eu", size: 4, held: 1)])
        #expect(status.waiting == 3)
        #expect(status.oldestWaiting == Self.t0)
    }

    @Test("runs per host: rows by host and status, each host's first start and last end", arguments: StoreKind.allCases)
    func runsPerHost(store kind: StoreKind) async throws {
        let f = try await fixture(kind)
        let b = try await f.connection(host: "host-b")
        _ = try await f.store.offer((0..<4).map { offer("job\($0)") } + [offer("waiting", ready: Self.t0 + 600)], at: Self.t0)
        let runsA = try await f.store.claim(jobs: ["job0", "job1", "job2"], limit: 3, at: Self.t0)
        let runsB = try await b.claim(jobs: ["job3"], limit: 1, at: Self.t0)
        for (index, run) in (runsA + runsB).enumerated() {
            try await f.store.markStarted(id: run.id, at: Self.t0 + Double(index), pid: 1, pidStart: nil, log: nil)
        }
        try await f.store.finish(id: runsA[0].id, status: .succeeded, at: Self.t0 + 10)
        try await f.store.finish(id: runsA[1].id, status: .failed, at: Self.t0 + 12)
        try await f.store.finish(id: runsB[0].id, status: .succeeded, at: Self.t0 + 20)
        _ = try await f.store.record(SlotClaim(job: "job9", slot: 60, kind: .catchUp, status: .skipped))
        let hosts = try await f.store.runsPerHost(job: nil)
        #expect(hosts.map(\.host) == ["test-host", "host-b", "-"])
        #expect(hosts[0].statuses == ["succeeded": 1, "failed": 1, "running": 1, "skipped": 1])
        #expect(hosts[0].started == 3 && hosts[0].firstStart == Self.t0 && hosts[0].lastEnd == Self.t0 + 12)
        #expect(hosts[1].statuses == ["succeeded": 1] && hosts[1].firstStart == Self.t0 + 3 && hosts[1].lastEnd == Self.t0 + 20)
        #expect(hosts[2].statuses == ["queued": 1] && hosts[2].started == 0)
        #expect(try await f.store.runsPerHost(job: "job3").map(\.host) == ["host-b"])
    }
}
