import Foundation
import Logging
import NightshiftCore
import Scheduler
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Several daemons, each with its own host name and launcher, on one PostgreSQL database.
struct HostsFixture {
    let url: String
    let settings: SchedulerSettings
    let directory = TemporaryDirectory()

    init(lease: Double = 15, shutdownGrace: Int64 = 30, lateAfter: Int64 = 60, pools: [String: Int] = [:]) throws {
        url = try TestPostgres.freshDatabase()
        var settings = SchedulerSettings(
            statePath: directory.file("unused.sqlite"), tick: 1, lateAfter: lateAfter, shutdownGrace: shutdownGrace, store: url,
            lease: lease)
        settings.pools = pools
        self.settings = settings
    }

    /// A store for `host`; with `clock`, statements read that clock instead of the database's.
    func store(host: String, clock: (any WallClock)? = nil) async throws -> PostgresStore {
        try await PostgresStore(
            location: try PostgresLocation(url: url), password: TestPostgres.password, host: host, lease: settings.lease,
            clockOverride: clock)
    }

    func daemon(
        _ jobs: [Job], store: any SchedulerStore, launcher: ScriptedLauncher, clock: any WallClock, maxRunning: Int? = nil
    ) -> SchedulerDaemon {
        var settings = settings
        settings.maxRunning = maxRunning
        return SchedulerDaemon(
            configuration: JobConfiguration(settings: settings, jobs: jobs), store: store, launcher: launcher,
            runner: ["nightshift"], clock: clock, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}

@Suite("several daemons on one PostgreSQL store")
struct MultiHostTests {
    @Test("a run whose host stopped renewing its lease is recorded interrupted by a survivor, naming both hosts")
    func expiredLeaseInterrupted() async throws {
        let f = try HostsFixture(lease: 15)
        let clock = ManualClock(Double(at("2026-05-01T00:00:30Z")))
        let (launcherA, launcherB) = (ScriptedLauncher(), ScriptedLauncher())
        let a = f.daemon([try job("* * * * *")], store: try await f.store(host: "host-a", clock: clock), launcher: launcherA, clock: clock)
        let storeB = try await f.store(host: "host-b", clock: clock)
        let b = f.daemon([try job("* * * * *")], store: storeB, launcher: launcherB, clock: clock)
        for time in ["2026-05-01T00:00:30Z", "2026-05-01T00:01:00Z"] {
            clock.set(Double(at(time)))
            await a.tick(now: clock.now())
            await b.tick(now: clock.now())
        }
        #expect(launcherA.slots == [at("2026-05-01T00:01:00Z")])
        #expect(launcherB.slots.isEmpty)
        // host-a dies: it ticks no more. Its lease (15 s from 00:01:00) still holds at 00:01:14.
        clock.set(Double(at("2026-05-01T00:01:14Z")))
        await b.tick(now: clock.now())
        #expect(try await storeB.history(job: "topup").map(\.status) == [.running])
        clock.set(Double(at("2026-05-01T00:01:16Z")))
        await b.tick(now: clock.now())
        let run = try #require(try await storeB.history(job: "topup").first)
        #expect(run.status == .interrupted)
        #expect(run.host == "host-a")
        #expect(run.reason == "the daemon on host-a stopped renewing its lease during the run (recorded by host-b)")
        clock.set(Double(at("2026-05-01T00:02:00Z")))
        await b.tick(now: clock.now())
        #expect(launcherB.slots == [at("2026-05-01T00:02:00Z")])
        #expect(try await storeB.history(job: "topup").first?.host == "host-b")
    }

    @Test("a slot due while its owner is dead starts on a survivor within lease + tick of the owner's last renewal")
    func failoverWithinLeasePlusTick() async throws {
        let lease = 15.0
        let f = try HostsFixture(lease: lease)
        let start = Double(at("2026-05-01T00:00:59Z"))
        let clock = ManualClock(start)
        let (launcherA, launcherB) = (ScriptedLauncher(), ScriptedLauncher())
        let jobs = [try job("@every 10s", overlap: .queue)]
        let a = f.daemon(jobs, store: try await f.store(host: "host-a", clock: clock), launcher: launcherA, clock: clock)
        let storeB = try await f.store(host: "host-b", clock: clock)
        let b = f.daemon(jobs, store: storeB, launcher: launcherB, clock: clock)
        await a.tick(now: start)
        await b.tick(now: start)
        // host-a claims and starts the 00:01:00 slot, renews its lease once, and dies.
        let death = Double(at("2026-05-01T00:01:00Z"))
        clock.set(death)
        await a.tick(now: death)
        #expect(launcherA.slots == [at("2026-05-01T00:01:00Z")])
        // host-b ticks every second; the 00:01:10 slot waits (queue) while host-a's lease holds.
        var t = death
        while launcherB.slots.isEmpty && t < death + 60 {
            t += 1
            clock.set(t)
            await b.tick(now: t)
        }
        #expect(launcherB.slots == [at("2026-05-01T00:01:10Z")])
        let tick = 1.0
        #expect(t - death <= lease + tick, "the survivor started the slot \(t - death) s after the owner's last renewal")
        #expect(t - death >= lease, "the survivor must not start it while the owner's lease holds")
    }

    @Test("a trigger from any host runs once, on one daemon, although two daemons know the job")
    func triggerFromAnyHost() async throws {
        let f = try HostsFixture()
        let clock = ManualClock(Double(at("2026-05-01T00:00:30Z")))
        let (launcherA, launcherB) = (ScriptedLauncher(), ScriptedLauncher())
        let jobs = [try job("0 3 * * *")]
        let a = f.daemon(jobs, store: try await f.store(host: "host-a", clock: clock), launcher: launcherA, clock: clock)
        let b = f.daemon(jobs, store: try await f.store(host: "host-b", clock: clock), launcher: launcherB, clock: clock)
        await a.tick(now: clock.now())
        await b.tick(now: clock.now())
        try await f.store(host: "operator-laptop", clock: clock).addTrigger(job: "topup", at: at("2026-05-01T00:00:31Z"))
        clock.set(Double(at("2026-05-01T00:00:32Z")))
        await b.tick(now: clock.now())
        await a.tick(now: clock.now())
        #expect(launcherA.slots.count + launcherB.slots.count == 1)
        #expect(launcherB.slots == [at("2026-05-01T00:00:31Z")])
    }

    @Test("a pause set from another host stops every daemon's runs of the job")
    func pauseFromAnyHost() async throws {
        let f = try HostsFixture()
        let clock = ManualClock(Double(at("2026-05-01T00:00:30Z")))
        let (launcherA, launcherB) = (ScriptedLauncher(), ScriptedLauncher())
        let jobs = [try job("* * * * *", overlap: .allow)]
        let a = f.daemon(jobs, store: try await f.store(host: "host-a", clock: clock), launcher: launcherA, clock: clock)
        let b = f.daemon(jobs, store: try await f.store(host: "host-b", clock: clock), launcher: launcherB, clock: clock)
        await a.tick(now: clock.now())
        await b.tick(now: clock.now())
        try await f.store(host: "operator-laptop", clock: clock).setPaused(true, job: "topup", now: at("2026-05-01T00:00:40Z"))
        for minute in 1...3 {
            clock.set(Double(at("2026-05-01T00:0\(minute):00Z")))
            await a.tick(now: clock.now())
            await b.tick(now: clock.now())
        }
        #expect(launcherA.slots.isEmpty && launcherB.slots.isEmpty)
    }

    @Test(
        "a daemon whose clock is 90 s off causes no double run and no early run: slots are due in the database's clock",
        arguments: [90.0, -90.0])
    func clockSkew(offset: Double) async throws {
        let f = try HostsFixture()
        let (launcherGood, launcherSkewed) = (ScriptedLauncher(), ScriptedLauncher())
        let jobs = [try job("@every 1s", overlap: .allow)]
        let good = f.daemon(jobs, store: try await f.store(host: "good-clock"), launcher: launcherGood, clock: SystemClock())
        let skewedClock = OffsetClock(offset: offset)
        let skewed = f.daemon(jobs, store: try await f.store(host: "skewed-clock"), launcher: launcherSkewed, clock: skewedClock)
        let start = Date()
        let end = start.addingTimeInterval(6)
        while Date() < end {
            // The skewed daemon ticks first for 3 s, then the good one: each gets to claim.
            if Date() < start.addingTimeInterval(3) {
                await good.tick(now: SystemClock().now())
                await skewed.tick(now: skewedClock.now())
            } else {
                await skewed.tick(now: skewedClock.now())
                await good.tick(now: SystemClock().now())
            }
            for child in launcherGood.children + launcherSkewed.children { child.finish() }
            try await Task.sleep(for: .milliseconds(50))
        }
        let launched = launcherGood.children + launcherSkewed.children
        let slots = launched.map(\.request.slot)
        #expect(Set(slots).count == slots.count, "a slot ran twice: \(slots.sorted())")
        // The database and this test read the same system clock.
        let early = launched.filter { $0.launchedAt < Double($0.request.slot) }
        #expect(early.isEmpty, "started before their slot: \(early.map { ($0.request.slot, $0.launchedAt) })")
        #expect(!launcherSkewed.children.isEmpty, "the skewed daemon never won a claim, so the test proves nothing")
        #expect(slots.count >= 4)
        // A daemon 90 s behind would otherwise see every slot as missed and catch it up.
        let history = try await f.store(host: "reader").history(job: "topup", limit: 100)
        #expect(history.allSatisfy { $0.kind == .scheduled && $0.status != .skipped })
    }

    @Test("a daemon whose clock is 90 s ahead measures run deadlines on the database's clock: at shutdown its run is cancelled, not timed out")
    func skewedShutdown() async throws {
        let f = try HostsFixture(shutdownGrace: 1)
        let launcher = ScriptedLauncher()
        let clock = OffsetClock(offset: 90)
        let daemon = f.daemon([try job("@every 1s", timeout: 30)], store: try await f.store(host: "skewed"), launcher: launcher, clock: clock)
        let end = Date().addingTimeInterval(30)
        while launcher.children.isEmpty && Date() < end {
            await daemon.tick(now: clock.now())
            try await Task.sleep(for: .milliseconds(100))
        }
        let child = try #require(launcher.children.first)
        await daemon.shutDown()
        #expect(child.signals.first == SIGTERM)
        let run = try #require(try await f.store(host: "reader").history(job: "topup", limit: 10).first { $0.status != .skipped })
        #expect(run.status == .cancelled)
    }
}
