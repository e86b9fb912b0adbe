import Foundation
import Logging
import NightshiftCore
import Scheduler

#if canImport(Glibc)
    import Glibc
#endif

/// `nightshift-bench scheduler`, the multi-host part: 1,000 jobs due in the same second on
/// three daemons sharing PostgreSQL, against one daemon on SQLite; and failover time.
/// Needs a PostgreSQL cluster: `scripts/with-postgres .build/release/nightshift-bench scheduler`.
enum SchedulerClaimBenchmarks {
    /// A clock the benchmark sets, shared by the daemons and (as the store's clock) by PostgreSQL.
    final class BenchClock: WallClock, @unchecked Sendable {
        private let lock = NSLock()
        private var current: Double
        init(_ start: Double) { current = start }
        func now() -> Double { lock.withLock { current } }
        func set(_ time: Double) { lock.withLock { current = time } }
    }

    /// A child that has already exited: the benchmark measures the scheduler, not processes.
    final class DoneChild: RunningChild {
        let pid: Int32 = 0
        let identity: String? = nil
        func poll() -> ChildExit? { .exited(0) }
        func kill(signal: Int32) {}
    }

    /// A child that runs until the benchmark ends.
    final class HangingChild: RunningChild {
        let pid: Int32 = 0
        let identity: String? = nil
        func poll() -> ChildExit? { nil }
        func kill(signal: Int32) {}
    }

    struct Launcher: RunLauncher {
        var hang = false
        func launch(_ request: RunRequest) throws -> any RunningChild { hang ? HangingChild() : DoneChild() }
    }

    static let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
    static let slot: Int64 = 1_780_000_020  // a whole minute

    static func jobs(_ count: Int) throws -> [Job] {
        try (0..<count).map { index in
            Job(name: "job\(index)", script: "noop.lua", schedule: try Schedule("* * * * *"), zone: .utc, overlap: .allow)
        }
    }

    static func run() async throws {
        let sqlite = try await sqliteSlot()
        guard let base = ProcessInfo.processInfo.environment["NIGHTSHIFT_TEST_POSTGRES"] else {
            print("PostgreSQL part skipped: run under scripts/with-postgres (sets NIGHTSHIFT_TEST_POSTGRES and PGPASSWORD)")
            return
        }
        try await postgresSlot(base: base, sqlite: sqlite)
        try await failover(base: base)
    }

    /// One daemon on SQLite: the tick at which 1,000 jobs are due (claim + start), and the next (record the ends).
    static func sqliteSlot() async throws -> Double {
        let directory = NSTemporaryDirectory() + "nightshift-bench-claims-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = SchedulerSettings(statePath: directory + "/state.sqlite", logDirectory: directory + "/logs")
        let clock = BenchClock(Double(slot - 30))
        let daemon = SchedulerDaemon(
            configuration: JobConfiguration(settings: settings, jobs: try jobs(1000)),
            store: try SQLiteStore(path: settings.statePath, host: "one"), launcher: Launcher(), runner: ["nightshift"],
            clock: clock, logger: logger)
        await daemon.tick(now: clock.now())
        clock.set(Double(slot))
        let claim = try await measure { await daemon.tick(now: Double(slot)) }
        clock.set(Double(slot) + 1)
        let finish = try await measure { await daemon.tick(now: Double(slot) + 1) }
        print(
            "SQLite, 1 daemon, 1,000 jobs due at once: offer + claim + start \(ms(claim)) (\(rate(1000, claim)) claims/s),"
                + " record the ends \(ms(finish))")
        return claim
    }

    /// Three daemons on PostgreSQL, all ticking at the slot at once.
    static func postgresSlot(base: String, sqlite: Double) async throws {
        let url = try freshDatabase(base)
        let clock = BenchClock(Double(slot - 30))
        let settings = SchedulerSettings(statePath: "/nonexistent", logDirectory: NSTemporaryDirectory() + "ns-bench-logs", store: url)
        var stores: [PostgresStore] = []
        var daemons: [SchedulerDaemon] = []
        for host in ["d1", "d2", "d3"] {
            let store = try await PostgresStore(
                location: try PostgresLocation(url: url), password: ProcessInfo.processInfo.environment["PGPASSWORD"],
                host: host, clockOverride: clock)
            stores.append(store)
            daemons.append(
                SchedulerDaemon(
                    configuration: JobConfiguration(settings: settings, jobs: try jobs(1000)), store: store,
                    launcher: Launcher(), runner: ["nightshift"], clock: clock, logger: logger))
        }
        func tickAll(_ time: Double) async {
            await withTaskGroup(of: Void.self) { group in
                for daemon in daemons { group.addTask { await daemon.tick(now: time) } }
            }
        }
        func statements() -> Int { stores.reduce(0) { $0 + $1.statementCount } }
        await tickAll(clock.now())
        let idleBefore = statements()
        let idle = try await measure { await tickAll(clock.now() + 0.5) }
        let idleStatements = statements() - idleBefore

        clock.set(Double(slot))
        let before = statements()
        let claim = try await measure { await tickAll(Double(slot)) }
        let claimStatements = statements() - before
        clock.set(Double(slot) + 1)
        let finishBefore = statements()
        let finish = try await measure { await tickAll(Double(slot) + 1) }
        let finishStatements = statements() - finishBefore
        let history = try await stores[0].history(job: nil, limit: 5000)
        let perHost = Dictionary(grouping: history, by: { $0.host ?? "?" }).mapValues(\.count)
        print(
            "PostgreSQL, 3 daemons without max_running, 1,000 jobs due at once: offer + claim + start \(ms(claim))"
                + " (\(rate(1000, claim)) claims/s,"
                + " \(String(format: "%.1f", claim / sqlite))x SQLite's time), record the ends \(ms(finish));"
                + " runs per host (no limit: the first daemon to tick has places for all) \(perHost.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        print(
            "  round trips per slot: \(String(format: "%.2f", Double(claimStatements + finishStatements) / 1000))"
                + " (\(claimStatements) at the claiming tick across 3 daemons, \(finishStatements) when the runs end);"
                + " idle tick: \(ms(idle)) for 3 daemons, \(idleStatements / 3) round trip(s) each")
        for store in stores { await store.close() }
    }

    /// Real time on the database's clock: a daemon holding a run stops ticking (as if
    /// killed); another ticks every 0.2 s. Time from the dead daemon's last renewal until
    /// the survivor records the run interrupted, with lease 2 s.
    static func failover(base: String) async throws {
        let url = try freshDatabase(base)
        let lease = 2.0
        let tick = 0.2
        let settings = SchedulerSettings(
            statePath: "/nonexistent", logDirectory: NSTemporaryDirectory() + "ns-bench-logs", tick: tick, store: url,
            lease: lease)
        func store(_ host: String) async throws -> PostgresStore {
            try await PostgresStore(
                location: try PostgresLocation(url: url), password: ProcessInfo.processInfo.environment["PGPASSWORD"],
                host: host, lease: lease)
        }
        let job = [Job(name: "long", script: "noop.lua", schedule: try Schedule("@every 1s"), zone: .utc, overlap: .allow)]
        let storeA = try await store("dead")
        let storeB = try await store("survivor")
        let b = SchedulerDaemon(
            configuration: JobConfiguration(settings: settings, jobs: job), store: storeB, launcher: Launcher(hang: true),
            runner: ["nightshift"], clock: SystemClock(), logger: logger)
        var samples: [Double] = []
        for _ in 0..<5 {
            // The daemon to die ticks until it holds a run, then stops.
            let a = SchedulerDaemon(
                configuration: JobConfiguration(settings: settings, jobs: job), store: storeA,
                launcher: Launcher(hang: true), runner: ["nightshift"], clock: SystemClock(), logger: logger)
            var held: JobRun?
            while held == nil {
                await a.tick(now: Date().timeIntervalSince1970)
                held = try await storeA.history(job: "long", limit: 5).first { $0.status == .running && $0.host == "dead" }
                if held == nil { try await Task.sleep(for: .milliseconds(Int(tick * 1000))) }
            }
            let died = Date().timeIntervalSince1970
            while true {
                await b.tick(now: Date().timeIntervalSince1970)
                let run = try await storeB.history(job: "long", limit: 50).first { $0.id == held!.id }
                if run?.status == .interrupted {
                    samples.append(Date().timeIntervalSince1970 - died)
                    break
                }
                try await Task.sleep(for: .milliseconds(Int(tick * 1000)))
            }
        }
        await storeA.close()
        await storeB.close()
        let mean = samples.reduce(0, +) / Double(samples.count)
        print(
            "failover, lease \(lease) s, tick \(tick) s: a dead daemon's run recorded interrupted by a survivor"
                + " \(String(format: "%.2f", mean)) s mean, \(String(format: "%.2f", samples.max() ?? 0)) s max after it stopped"
                + " (bound: lease + tick = \(lease + tick) s); its job's later slots need no hand-over."
                + " SQLite on one host: no failover (the daemon's restart reconciles)")
    }

    static func freshDatabase(_ base: String) throws -> String {
        let name = "ns_bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [base, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw StoreError("psql could not create the benchmark database") }
        var components = URLComponents(string: base)!
        components.path = "/" + name
        return components.string!
    }

    static func measure(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
    static func rate(_ count: Int, _ seconds: Double) -> String { String(format: "%.0f", Double(count) / seconds) }
}
