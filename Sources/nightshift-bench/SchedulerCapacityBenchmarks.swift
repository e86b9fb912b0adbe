import Foundation
import Logging
import NightshiftCore
import Scheduler

/// `nightshift-bench scheduler`, capacity: 1,000 jobs due in the same minute, each a real
/// child that waits 1 s (`/bin/sleep 1`), under `max_running = 50` per daemon, with one
/// daemon and then with three daemons sharing one PostgreSQL database, in the same run. The
/// daemons run in this process, each with its own store connection and host name, on the
/// system's clock shifted so that the slot comes two seconds after each start.
///
/// The children wait rather than compute, as scripts waiting for a panel do: capacity across
/// hosts is about places for such runs. (The three daemons share this machine's cores; runs
/// that burn CPU, like the hello-world burst, are bounded by the cores, not by places.)
/// Reports each burst's runs per host, first start and last end after the slot, the most
/// runs at once (all from the store's records), and the ratio of the two last ends
/// (target: three daemons in at most 0.45x one daemon's time).
enum SchedulerCapacityBenchmarks {
    static let jobs = 1000
    static let maxRunning = 50

    struct Burst {
        var daemons: Int
        var perHost: [String: Int]
        var finished: Int
        var firstStart: Double
        var lastEnd: Double
        var mostAtOnce: Int
    }

    static func run() async throws {
        guard let base = ProcessInfo.processInfo.environment["NIGHTSHIFT_TEST_POSTGRES"] else {
            print("capacity skipped: run under scripts/with-postgres (sets NIGHTSHIFT_TEST_POSTGRES and PGPASSWORD)")
            return
        }
        print(
            "capacity: \(jobs) jobs due in the same minute, each a child `sleep 1`, max_running \(maxRunning) per daemon,"
                + " tick 0.1 s, PostgreSQL:")
        let one = try await burst(daemons: 1, base: base)
        report(one)
        let three = try await burst(daemons: 3, base: base)
        report(three)
        let ratio = three.lastEnd / one.lastEnd
        print(
            String(
                format: "  3 daemons finish in %.2fx one daemon's time (target: at most 0.45x: %@; ideal 1/3 = 0.33x)", ratio,
                ratio <= 0.45 ? "met" : "missed"))
    }

    static func report(_ burst: Burst) {
        let hosts = burst.perHost.keys.sorted().map { "\($0) \(burst.perHost[$0]!)" }.joined(separator: ", ")
        print(
            String(
                format: "  %d daemon%@: %d runs ended; runs per host %@; first start %.2f s after the slot, last end %.2f s; at most %d at once",
                burst.daemons, burst.daemons == 1 ? "" : "s", burst.finished, hosts, burst.firstStart, burst.lastEnd,
                burst.mostAtOnce))
    }

    static func burst(daemons count: Int, base: String) async throws -> Burst {
        let url = try SchedulerClaimBenchmarks.freshDatabase(base)
        let folder = NSTemporaryDirectory() + "nightshift-bench-capacity-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let (slot, clock, schedule) = try SchedulerBurstBenchmarks.slotSoon()
        let list = (0..<jobs).map { index in
            Job(
                name: String(format: "wait%04d", index), script: "unused.lua", schedule: schedule, timeout: 60,
                command: ["/bin/sleep", "1"])
        }
        let settings = SchedulerSettings(
            statePath: folder + "/unused.sqlite", logDirectory: folder + "/logs", tick: 0.1, lateAfter: 120, store: url,
            maxRunning: maxRunning)
        var stores: [PostgresStore] = []
        var tasks: [Task<Void, any Error>] = []
        for index in 1...count {
            // The store reads the same shifted clock, as a database whose clock the daemons share.
            let store = try await PostgresStore(
                location: try PostgresLocation(url: url), password: ProcessInfo.processInfo.environment["PGPASSWORD"],
                host: "d\(index)", clockOverride: clock)
            stores.append(store)
            let daemon = SchedulerDaemon(
                configuration: JobConfiguration(settings: settings, jobs: list), store: store, launcher: ProcessLauncher(),
                runner: ["nightshift"], clock: clock, logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
            tasks.append(Task { try await daemon.run() })
        }
        // Polled by counts (one small aggregate), so that watching costs the daemons little.
        let giveUp = Date().addingTimeInterval(240)
        while Date() < giveUp {
            try await Task.sleep(for: .seconds(0.5))
            let counts = try await stores[0].runsPerHost(job: nil).flatMap(\.statuses)
            let unfinished = counts.filter { $0.key == "queued" || $0.key == "running" }.reduce(0) { $0 + $1.value }
            if counts.reduce(0, { $0 + $1.value }) == jobs && unfinished == 0 { break }
        }
        for task in tasks { task.cancel() }
        for task in tasks { _ = try? await task.value }
        let runs = try await stores[0].history(job: nil, limit: 2 * jobs)
        for store in stores { await store.close() }

        let started = runs.filter { $0.startedAt != nil }
        let events = started.flatMap { [($0.startedAt!, 1), ($0.finishedAt ?? .infinity, -1)] }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var running = 0
        var most = 0
        for (_, change) in events {
            running += change
            most = max(most, running)
        }
        return Burst(
            daemons: count, perHost: Dictionary(grouping: started, by: { $0.host ?? "-" }).mapValues(\.count),
            finished: runs.filter { $0.status.isFinal && $0.status != .skipped }.count,
            firstStart: (started.compactMap(\.startedAt).min() ?? .nan) - Double(slot),
            lastEnd: (started.compactMap(\.finishedAt).max() ?? .nan) - Double(slot), mostAtOnce: most)
    }
}
