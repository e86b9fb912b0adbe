import Foundation
import Logging
import NightshiftCore
import Scheduler

#if canImport(Glibc)
    import Glibc
#endif

/// `nightshift-bench scheduler`, the burst: 1,000 jobs due in the same minute, each a real
/// child `nightshift run hello.lua`, under `max_running = 50`, on one daemon (SQLite) with
/// the system's clock shifted so the slot comes two seconds after the start. Reports when
/// the last run starts and ends after the slot (target: all done within 60 s), the daemon's
/// CPU time and peak memory, and each child's start-up against `lua5.4` measured in the
/// same run.
enum SchedulerBurstBenchmarks {
    static let jobs = 1000
    static let maxRunning = 50

    /// The system clock moved by `offset` seconds: the benchmark picks the slot's minute.
    struct ShiftedClock: WallClock {
        let offset: Double
        func now() -> Double { Date().timeIntervalSince1970 + offset }
    }

    static func run() async throws {
        guard let nightshift = RunBenchmarks.nightshiftBinary() else {
            print("burst skipped: nightshift not found beside nightshift-bench (swift build -c release) or NIGHTSHIFT_BIN")
            return
        }
        let folder = NSTemporaryDirectory() + "nightshift-bench-burst-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/hello.lua"
        try "print('hello, world')\n".write(toFile: script, atomically: true, encoding: .utf8)
        // The script calls nothing, so the panel is never contacted; the key only has to exist.
        // The daemon hands it to each child on a pipe, as `nightshift schedule` does.
        setenv("NIGHTSHIFT_API_KEY", "bench", 1)

        let startup = try childStartup(nightshift: nightshift, script: script, folder: folder)

        let (slot, clock, schedule) = try slotSoon()
        let list = (0..<jobs).map { index in
            Job(
                name: String(format: "hello%04d", index), script: script, schedule: schedule, timeout: 60,
                runFlags: ["--panel", "http://127.0.0.1:9/", "--state", folder + "/run-state"])
        }
        let settings = SchedulerSettings(
            statePath: folder + "/state.sqlite", logDirectory: folder + "/logs", tick: 0.1, lateAfter: 120,
            maxRunning: maxRunning)
        let store = try SQLiteStore(path: settings.statePath, host: "bench")
        let daemon = SchedulerDaemon(
            configuration: JobConfiguration(settings: settings, jobs: list), store: store, launcher: ProcessLauncher(handingOver: "bench"),
            runner: [nightshift], clock: clock, logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })

        // Peak memory from here on: Linux resets the high-water mark on "5" to clear_refs.
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let cpuBefore = cpuSeconds()
        let task = Task { try await daemon.run() }
        var runs: [JobRun] = []
        let giveUp = Date().addingTimeInterval(240)
        while Date() < giveUp {
            try await Task.sleep(for: .seconds(1))
            runs = try store.history(job: nil, limit: 2 * jobs)
            if runs.count == jobs && runs.allSatisfy(\.status.isFinal) { break }
        }
        let cpu = cpuSeconds() - cpuBefore
        let peak = peakResidentKiB()
        task.cancel()
        _ = try? await task.value

        let done = runs.filter(\.status.isFinal)
        let succeeded = runs.filter { $0.status == .succeeded }.count
        let starts = runs.compactMap(\.startedAt).map { $0 - Double(slot) }
        let ends = runs.compactMap(\.finishedAt).map { $0 - Double(slot) }
        let durations = runs.compactMap { run in run.startedAt.flatMap { start in run.finishedAt.map { $0 - start } } }.sorted()
        print("burst: \(jobs) jobs due in the same minute, each `nightshift run hello.lua`, max_running \(maxRunning), tick 0.1 s, SQLite:")
        print("  \(done.count) runs ended (\(succeeded) succeeded, \(runs.count - done.count) unfinished)")
        print(String(format: "  first start %.2f s after the slot, last start %.2f s, last end %.2f s (target: all done within 60 s: %@)",
            starts.min() ?? .nan, starts.max() ?? .nan, ends.max() ?? .nan, (ends.max() ?? .infinity) <= 60 ? "met" : "missed"))
        print(String(format: "  run length under load (start to end seen by the daemon): median %.0f ms, p95 %.0f ms",
            percentile(durations, 0.5) * 1000, percentile(durations, 0.95) * 1000))
        print(String(format: "  throughput %.1f runs/s; the daemon's CPU %.2f s (%.2f ms per run), peak RSS of the daemon's process %.1f MiB",
            Double(done.count) / max(ends.max() ?? 1, 0.001), cpu, cpu / Double(max(done.count, 1)) * 1000, Double(peak) / 1024))
        print(String(format: "  each child's start-up, alone, median of 21: nightshift run %.1f ms, lua5.4 -e %.1f ms (%.1fx)",
            startup.nightshift * 1000, startup.lua * 1000, startup.nightshift / startup.lua))
    }

    /// A slot two seconds away: the minute after next, a clock moved so that it comes two
    /// seconds from now, and a daily schedule that fires at it (UTC).
    static func slotSoon() throws -> (slot: Int64, clock: ShiftedClock, schedule: Schedule) {
        let real = Date().timeIntervalSince1970
        let slot = (Int64(real) / 60 + 2) * 60
        var time = tm()
        var seconds = time_t(slot)
        gmtime_r(&seconds, &time)
        return (slot, ShiftedClock(offset: Double(slot) - 2 - real), try Schedule("\(time.tm_min) \(time.tm_hour) * * *"))
    }

    /// A hello-world `nightshift run` and `lua5.4 -e`, whole process, median of 21 each.
    static func childStartup(nightshift: String, script: String, folder: String) throws -> (nightshift: Double, lua: Double) {
        let arguments = ["run", script, "--panel", "http://127.0.0.1:9/", "--state", folder + "/run-state"]
        _ = try RunBenchmarks.median(3, nightshift, arguments, environment: [:])
        let ours = try RunBenchmarks.median(21, nightshift, arguments, environment: [:])
        guard let lua = RunBenchmarks.find("lua5.4") else {
            print("lua5.4 not found on PATH: install lua5.4 to compare child start-up")
            return (ours, .nan)
        }
        return (ours, try RunBenchmarks.median(21, lua, ["-e", "print('hello, world')"], environment: [:]))
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// VmHWM of this process, in KiB.
    static func peakResidentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
