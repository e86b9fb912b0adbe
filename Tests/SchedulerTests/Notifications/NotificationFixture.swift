import Foundation
import Logging
import NightshiftCore
import Scheduler
import Testing

/// A daemon over a fresh store (either kind) whose events go to a real `JobNotifier`, with
/// retries and timeouts short enough for tests.
struct NotificationFixture {
    let f: DaemonFixture
    let notifier: JobNotifier
    let daemon: SchedulerDaemon

    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init(
        store: StoreKind, jobs: [Job], start: String = "2026-05-01T00:00:30Z",
        // Timeouts far above what a loopback exchange takes, so that a machine starved by other
        // suites (2 cores, blocking end-to-end tests) delays a test but does not change its outcome.
        tuning: NotificationTuning = NotificationTuning(
            attemptTimeout: .seconds(30), retryDelays: [.milliseconds(50), .milliseconds(100)], shutdownGrace: .seconds(120)),
        extra: [any SchedulerEvents] = [], onDelivery: @escaping @Sendable (NotificationRecord) -> Void = { _ in }
    ) async throws {
        f = try await DaemonFixture(start: start, store: store)
        notifier = JobNotifier(store: f.store, logger: Self.quiet, tuning: tuning, clock: f.clock, onDelivery: onDelivery)
        daemon = f.daemon(jobs, events: SchedulerEventFanOut([notifier] + extra))
    }

    func tick(_ time: String) async { await f.tick(daemon, at: time) }

    /// Ends the n-th child (from 0) with `status`, after writing `output` to its log file and,
    /// as `nightshift run --result-file` does, its receipt.
    func finish(_ index: Int, status: Int32, output: String = "", receipt: RunReceipt? = nil) throws {
        let child = f.launcher.children[index]
        let log = child.request.logPath
        try FileManager.default.createDirectory(
            atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try output.write(toFile: log, atomically: true, encoding: .utf8)
        if let receipt {
            let flag = try #require(child.request.commandLine.firstIndex(of: "--result-file"))
            try receipt.write(to: child.request.commandLine[flag + 1])
        }
        child.finish(status)
    }

    /// Waits for every delivery under way to end (the notifier's shutdown path), then
    /// returns what the store recorded, oldest first.
    func settle() async throws -> [NotificationRecord] {
        await notifier.drain()
        return try await f.store.notifications(job: nil, limit: 100).reversed()
    }

    func records() async throws -> [NotificationRecord] {
        try await f.store.notifications(job: nil, limit: 100).reversed()
    }
}

/// A job running every minute with `notify`.
func notifyingJob(_ notify: JobNotify, name: String = "topup", overlap: OverlapPolicy = .skip, catchUp: CatchUpPolicy = .once)
    throws -> Job
{
    var j = try job("* * * * *", name: name, overlap: overlap, catchUp: catchUp)
    j.notify = notify
    return j
}

/// A received body as a JSON object.
func object(_ body: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
}

/// A JSON number, however the parser boxed it.
func number(_ value: Any?) -> Double? {
    switch value {
    case let value as Int: Double(value)
    case let value as Double: value
    case let value as NSNumber: value.doubleValue
    default: nil
    }
}
