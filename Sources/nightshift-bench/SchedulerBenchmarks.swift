import Foundation
import Logging
import Scheduler

#if canImport(Glibc)
    import Glibc
#endif

/// `nightshift-bench scheduler`: next fire times for 10,000 jobs against a minute-by-minute
/// scan with libc's `localtime_r` (what a classic cron daemon does), the daemon's CPU
/// use while idle with 1,000 jobs, (SchedulerClaimBenchmarks) 1,000 due jobs on three
/// daemons sharing PostgreSQL against one on SQLite, (SchedulerCapacityBenchmarks) 1,000
/// one-second runs under `max_running = 50` on one daemon and on three sharing PostgreSQL,
/// and (SchedulerBurstBenchmarks) 1,000 real hello-world runs due in one minute under
/// `max_running = 50`.
enum SchedulerBenchmarks {
    static let zones = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"]
    static let start: Int64 = 1_772_323_200  // 2026-03-01T00:00:00Z, before the spring changes

    /// 10,000 expressions, deterministic, from every-minute to yearly.
    static func expressions(_ count: Int) -> [String] {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let shapes: [() -> String] = [
            { "\(next(60)) \(next(24)) * * *" },
            { "*/\(1 + next(30)) * * * *" },
            { "\(next(60)) */\(1 + next(6)) * * mon-fri" },
            { "0 \(next(24)) 1,15 * *" },
            { "\(next(60)) \(next(24)) * * \(next(7))" },
            { "30 2 * \(1 + next(12)) *" },
            { "0 0 \(1 + next(28)) \(1 + next(12)) *" },
            { "@every \(1 + next(120))m" },
        ]
        return (0..<count).map { _ in shapes[next(shapes.count)]() }
    }

    static func run() async throws {
        try nextFireTimes()
        try await idleDaemon()
        try await SchedulerClaimBenchmarks.run()
        try await SchedulerCapacityBenchmarks.run()
        try await SchedulerBurstBenchmarks.run()
    }

    static func nextFireTimes() throws {
        let texts = expressions(10_000)
        let jobs: [(Schedule, ZoneRules)] = try texts.enumerated().map { index, text in
            (try Schedule(text), try ZoneRules(identifier: zones[index % zones.count]))
        }
        // Warm the zones' transition caches, as a running daemon has.
        for (schedule, zone) in jobs.prefix(100) { _ = schedule.nextFireTime(after: start, in: zone) }
        var checksum: Int64 = 0
        let ours = measure {
            for (schedule, zone) in jobs { checksum &+= schedule.nextFireTime(after: start, in: zone) ?? 0 }
        }
        print("next fire time, 10,000 jobs in \(zones.count) zones: \(format(ours)) (\(format(ours / 10_000)) per job)")

        // Baseline: scan minute by minute with localtime_r, for the cron jobs of one zone at a time.
        let sample = jobs.enumerated().filter { if case .cron = $0.element.0 { return $0.offset % 20 == 0 } else { return false } }
        var baselineChecksum: Int64 = 0
        var scanned = 0
        var oursOnSample = 0.0
        var baseline = 0.0
        for zone in zones {
            let subset = sample.filter { $0.element.1.identifier == zone }
            setenv("TZ", zone, 1)
            tzset()
            baseline += measure {
                for (_, (schedule, _)) in subset {
                    guard case let .cron(expression) = schedule else { continue }
                    var t = time_t(start + 60)
                    var parts = tm()
                    for _ in 0..<(366 * 24 * 60) {
                        localtime_r(&t, &parts)
                        if expression.matches(
                            minute: Int(parts.tm_min), hour: Int(parts.tm_hour), day: Int(parts.tm_mday),
                            month: Int(parts.tm_mon) + 1, weekday: Int(parts.tm_wday))
                        {
                            baselineChecksum &+= Int64(t)
                            break
                        }
                        t += 60
                    }
                    scanned += 1
                }
            }
            oursOnSample += measure {
                for (_, (schedule, zone)) in subset { checksum &+= schedule.nextFireTime(after: start, in: zone) ?? 0 }
            }
        }
        unsetenv("TZ")
        print(
            "same \(scanned) cron jobs: Scheduler \(format(oursOnSample)), libc localtime_r minute scan \(format(baseline)):"
                + " \(String(format: "%.1f", baseline / oursOnSample))x faster than the C scan")
        if checksum == 0 || baselineChecksum == 0 { print("(checksum \(checksum) \(baselineChecksum))") }
    }

    static func idleDaemon() async throws {
        let directory = NSTemporaryDirectory() + "nightshift-bench-sched-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = SchedulerSettings(statePath: directory + "/state.sqlite", tick: 1)
        // 1,000 jobs none of which is due in the next minutes: an idle but loaded daemon.
        let jobs = try (0..<1000).map { index in
            Job(
                name: "job\(index)", script: "noop.lua", schedule: try Schedule("\(index % 60) \(index % 24) 1 1 *"),
                zone: try ZoneRules(identifier: zones[index % zones.count]))
        }
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let daemon = SchedulerDaemon(
            configuration: JobConfiguration(settings: settings, jobs: jobs), store: try SQLiteStore(path: settings.statePath),
            launcher: ProcessLauncher(), runner: ["nightshift"], clock: SystemClock(), logger: logger)

        // Cost of one tick with 1,000 jobs.
        let now = Date().timeIntervalSince1970
        await daemon.tick(now: now)
        let ticks = 2000
        let tickTime = await measureAsync {
            for i in 0..<ticks { await daemon.tick(now: now + Double(i) * 0.001) }
        }
        print("one daemon tick with 1,000 jobs: \(format(tickTime / Double(ticks)))")

        // The same with job notifications and metrics attached, as `[scheduler] metrics` and a
        // notify setting make it: the tick reports to both, and must stay as cheap.
        let observedStore = try SQLiteStore(path: directory + "/observed.sqlite")
        let metrics = SchedulerMetrics()
        let notifier = JobNotifier(store: observedStore, logger: logger, onDelivery: { metrics.notified($0) })
        let observed = SchedulerDaemon(
            configuration: JobConfiguration(settings: settings, jobs: jobs), store: observedStore,
            launcher: ProcessLauncher(), runner: ["nightshift"], clock: SystemClock(), logger: logger,
            events: SchedulerEventFanOut([notifier, metrics]))
        await observed.tick(now: now)
        let observedTime = await measureAsync {
            for i in 0..<ticks { await observed.tick(now: now + Double(i) * 0.001) }
        }
        print(
            "one daemon tick with 1,000 jobs, notifications and metrics attached: \(format(observedTime / Double(ticks)))"
                + " (\(String(format: "%.2f", observedTime / tickTime))x the tick without)")
        metrics.setNextRuns(await observed.nextSlots)
        let scrape = measure { for _ in 0..<20 { _ = metrics.exposition() } } / 20
        print("one /metrics rendering with 1,000 jobs' next-run gauges: \(format(scrape))")

        let seconds = 10.0
        let before = cpuSeconds()
        let wallStart = Date()
        let task = Task { try await daemon.run() }
        try await Task.sleep(for: .seconds(seconds))
        task.cancel()
        _ = try? await task.value
        let cpu = cpuSeconds() - before
        let wall = Date().timeIntervalSince(wallStart)
        print(
            "idle daemon, 1,000 jobs, 1 s tick, \(String(format: "%.1f", wall)) s: CPU \(format(cpu))"
                + " = \(String(format: "%.3f", cpu / wall * 100))% of one core")
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private static func measure(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let elapsed = clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private static func measureAsync(_ body: () async -> Void) async -> Double {
        let start = ContinuousClock.now
        await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private static func format(_ seconds: Double) -> String {
        if seconds >= 1 { return String(format: "%.2f s", seconds) }
        if seconds >= 1e-3 { return String(format: "%.2f ms", seconds * 1e3) }
        return String(format: "%.2f µs", seconds * 1e6)
    }
}
