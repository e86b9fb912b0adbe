import Console
import Foundation
import GRDB
import Logging
import PanelEmulator
import Scheduler
import RunRecords
import ScriptRuntime
import ServiceLifecycle

/// `nightshift-bench console`: the console's pages over an audit log of 100,000 runs and
/// 1,000,000 writes in SQLite, each page fetched over HTTP (a logged-in session, one kept-alive
/// connection), against a plain `SELECT` of the same rows on the same file in the same run.
/// Target: every page at p99 ≤ 50 ms.
enum ConsoleBenchmarks {
    static let runCount = 100_000
    static let writesPerRun = 10
    static let jobCount = 20
    static let resellerCount = 500
    static let samples = 300
    static let start = 1_735_689_600.0  // 2025-01-01T00:00:00Z
    static let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }

    static func run() async throws {
        let directory = NSTemporaryDirectory() + "nightshift-bench-console-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let auditPath = directory + "/audit.sqlite"
        let audit = try AuditLog(path: auditPath, host: "bench")
        let seeding = ContinuousClock.now
        try seed(auditPath)
        print(
            "seeded \(grouped(runCount)) runs and \(grouped(runCount * writesPerRun)) writes in "
                + String(format: "%.1f s", (ContinuousClock.now - seeding).seconds))

        // The console, as `nightshift console` starts it, on a free port.
        let jobsPath = directory + "/jobs.toml"
        var jobs = "[scheduler]\nstate = \"state.sqlite\"\n[console]\nlisten = \"127.0.0.1:0\"\nusers = \"users.toml\"\n"
        for index in 0..<jobCount {
            jobs += "[[jobs]]\nname = \"job-\(index)\"\nscript = \"s.lua\"\nschedule = \"\(index) 3 * * *\"\n"
        }
        try jobs.write(toFile: jobsPath, atomically: true, encoding: .utf8)
        let configuration = try JobConfiguration.load(path: jobsPath)
        try ConsoleUsers.add(name: "bench", role: .viewer, password: "password-of-bench", path: directory + "/users.toml", cost: 4)
        let store = try SQLiteStore(path: configuration.settings.statePath)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let server = try ConsoleServer(
            settings: configuration.console!,
            sources: ConsoleSources(
                jobs: { try JobConfiguration.load(path: jobsPath) }, store: store, records: AuditRecords(audit: audit)),
            logger: logger, onRunning: { portSink.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let serving = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchFailure(description: "the console did not start") }

        let client = try KeepAliveClient(port: port)
        let cookie = try client.login(name: "bench", password: "password-of-bench")
        let reader = try DatabaseQueue(path: auditPath)

        var generator = SplitMix64(seed: 42)
        func runID() -> String { String(format: "%012x", Int.random(in: 0..<runCount, using: &generator)) }
        func job() -> String { "job-\(Int.random(in: 0..<jobCount, using: &generator))" }
        func reseller() -> String { target(Int.random(in: 0..<resellerCount, using: &generator)) }

        print("load average before: \(loadAverage()) (2 cores; other work on the machine moves the p99s)")
        print("page                          rows   page p50   page p99   SELECT p50  SELECT p99   p99 ratio  target")
        // Each page with the plain SELECT of the rows it shows (its page size plus the one that
        // tells whether there is a next page).
        try await measure(
            "Runs", rows: 51, client: client, cookie: cookie, reader: reader,
            page: { "/runs" },
            select: { db in _ = try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 51") })
        try await measure(
            "Runs of a job", rows: 51, client: client, cookie: cookie, reader: reader,
            page: { "/runs?job=" + job() },
            select: { db in
                _ = try Row.fetchAll(
                    db,
                    sql: "SELECT r.* FROM run_origins o JOIN runs r ON r.id = o.run_id WHERE o.job = ? ORDER BY o.started_at DESC LIMIT 51",
                    arguments: [job()])
            })
        try await measure(
            "Runs that failed", rows: 51, client: client, cookie: cookie, reader: reader,
            page: { "/runs?status=failed" },
            select: { db in
                _ = try Row.fetchAll(
                    db, sql: "SELECT * FROM runs WHERE status = 'failed' ORDER BY started_at DESC, rowid DESC LIMIT 51")
            })
        try await measure(
            "Runs of a week", rows: 51, client: client, cookie: cookie, reader: reader,
            page: { "/runs?from=2025-06-02&to=2025-06-08" },
            select: { db in
                _ = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM runs WHERE started_at >= '2025-06-02' AND started_at < '2025-06-09' ORDER BY started_at DESC, rowid DESC LIMIT 51")
            })
        try await measure(
            "Run detail", rows: 1 + writesPerRun, client: client, cookie: cookie, reader: reader,
            page: { "/runs/" + runID() },
            select: { db in
                let id = runID()
                _ = try Row.fetchAll(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id])
                _ = try Row.fetchAll(db, sql: "SELECT * FROM writes WHERE run_id = ? ORDER BY id LIMIT 201", arguments: [id])
            })
        try await measure(
            "Audit: a reseller", rows: 101, client: client, cookie: cookie, reader: reader,
            page: { "/audit?reseller=" + encoded(reseller()) },
            select: { db in
                _ = try Row.fetchAll(
                    db, sql: "SELECT * FROM writes WHERE target = ? ORDER BY time DESC, id DESC LIMIT 101", arguments: [reseller()])
            })
        try await measure(
            "Audit: a run", rows: writesPerRun, client: client, cookie: cookie, reader: reader,
            page: { "/audit?run=" + runID() },
            select: { db in
                _ = try Row.fetchAll(
                    db, sql: "SELECT * FROM writes WHERE run_id = ? ORDER BY time DESC, id DESC LIMIT 101", arguments: [runID()])
            })
        try await measure(
            "Audit: a day", rows: 101, client: client, cookie: cookie, reader: reader,
            page: { "/audit?from=2025-09-10&to=2025-09-10" },
            select: { db in
                _ = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM writes WHERE time >= '2025-09-10' AND time < '2025-09-11' ORDER BY time DESC, id DESC LIMIT 101")
            })
        print("load average after: \(loadAverage())")
        client.close()
        await group.triggerGracefulShutdown()
        _ = try? await serving.value
        store.close()
    }

    /// Fetches `page()` and runs `select` `samples` times each (after a warm-up), and prints
    /// both distributions.
    static func measure(
        _ name: String, rows: Int, client: KeepAliveClient, cookie: String, reader: DatabaseQueue,
        page: () -> String, select: (Database) throws -> Void
    ) async throws {
        // The client runs on a thread of its own, as a browser is a process of its own: it must
        // not hold one of the two threads the console's tasks run on while it waits.
        let paths = (0..<(samples + 20)).map { _ in page() }
        var pageTimes = try await onThread {
            var times: [Double] = []
            for (index, path) in paths.enumerated() {
                let began = ContinuousClock.now
                let status = try client.get(path, cookie: cookie)
                let took = (ContinuousClock.now - began).seconds
                guard status == 200 else { throw BenchFailure(description: "\(path): HTTP \(status)") }
                if index >= 20 { times.append(took) }
            }
            return times
        }
        var selectTimes = try timeSelects(reader, select)
        pageTimes.sort()
        selectTimes.sort()
        let (p50, p99) = (percentile(pageTimes, 0.5), percentile(pageTimes, 0.99))
        let (s50, s99) = (percentile(selectTimes, 0.5), percentile(selectTimes, 0.99))
        print(
            (name as NSString).padding(toLength: 28, withPad: " ", startingAt: 0)
                + String(
                    format: "%6d %7.2f ms %7.2f ms %8.2f ms %8.2f ms %9.1fx  %@", rows, p50 * 1000, p99 * 1000, s50 * 1000,
                    s99 * 1000, p99 / s99, p99 <= 0.050 ? "p99 ≤ 50 ms: yes" : "p99 ≤ 50 ms: NO"))
    }

    /// Runs `body` on a new thread and waits for it.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// The plain SELECT's times, `samples` of them after a warm-up, on the calling thread.
    static func timeSelects(_ reader: DatabaseQueue, _ select: (Database) throws -> Void) throws -> [Double] {
        var times: [Double] = []
        for index in 0..<(samples + 20) {
            let began = ContinuousClock.now
            try reader.inDatabase { try select($0) }
            if index >= 20 { times.append((ContinuousClock.now - began).seconds) }
        }
        return times
    }

    /// The first three fields of /proc/loadavg.
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3)
            .joined(separator: " ")
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
    }

    static func target(_ index: Int) -> String { String(format: "reseller%03d (id %d)", index, index + 1) }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    static func grouped(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = ","
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    /// 100,000 runs over a year, 80% of them started by the scheduler for 20 jobs, each with
    /// 10 writes to 500 resellers; written straight into the tables the audit log made.
    static func seed(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        var generator = SplitMix64(seed: 7)
        let statuses = ["succeeded", "succeeded", "succeeded", "succeeded", "succeeded", "succeeded", "succeeded", "failed",
            "refused", "timed out"]
        try queue.inTransaction { db in
            let insertRun = try db.makeStatement(
                sql: """
                    INSERT INTO runs (id, script_path, script_hash, arguments, grant_text, mode, started_at, ended_at, status,
                        output, error, modules, host, shipped)
                    VALUES (?, 'scripts/topup.lua', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
                        'threshold=500 amount=250', 'resellers.list, resellers.add_credits; max 5000 credits', ?, ?, ?, ?, ?, ?,
                        'lib/common.lua 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', ?, NULL)
                    """)
            let insertOrigin = try db.makeStatement(
                sql: "INSERT INTO run_origins (run_id, job, kind, slot, attempt, started_at) VALUES (?, ?, ?, ?, 1, ?)")
            let insertWrite = try db.makeStatement(
                sql: """
                    INSERT INTO writes (time, run_id, script_path, script_hash, endpoint, target, parameters, mode, outcome,
                        answer, credit_change, credits_before, credits_after, location)
                    VALUES (?, ?, 'scripts/topup.lua', 'e3b0c442', 'resellers.add_credits', ?, ?, ?, ?, '{"result":true}', ?, ?, ?,
                        'topup.lua:24')
                    """)
            for index in 0..<runCount {
                let id = String(format: "%012x", index)
                let began = start + Double(index) * (365 * 86_400 / Double(runCount))
                let startedAt = iso(began)
                let status = statuses[Int.random(in: 0..<statuses.count, using: &generator)]
                let mode = index % 20 == 0 ? "dry-run" : "live"
                try insertRun.execute(arguments: [
                    id, mode, startedAt, iso(began + 4.2), status,
                    "12 of 40 resellers below 500 credits topped up by 250\n", status == "succeeded" ? nil : "panel refused",
                    "host-\(index % 3 + 1)",
                ])
                if index % 5 != 0 {
                    let job = index % jobCount
                    try insertOrigin.execute(arguments: [id, "job-\(job)", index % 50 == 1 ? "manual" : "scheduled", Int64(began), startedAt])
                }
                for write in 0..<writesPerRun {
                    let reseller = Int.random(in: 0..<resellerCount, using: &generator)
                    let before = Int.random(in: 0...499, using: &generator)
                    let outcome = mode == "dry-run" ? "planned" : (write == 9 && status != "succeeded" ? "failed" : "done")
                    try insertWrite.execute(arguments: [
                        iso(began + 0.1 + Double(write) * 0.3), id, target(reseller), "id=\(reseller + 1)&credits=250", mode,
                        outcome, 250, before, before + 250,
                    ])
                }
            }
            return .commit
        }
    }

    static func iso(_ seconds: Double) -> String {
        Timestamp.iso(Date(timeIntervalSince1970: seconds))
    }

    struct BenchFailure: Error, CustomStringConvertible {
        var description: String
    }
}

extension Duration {
    /// In seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
