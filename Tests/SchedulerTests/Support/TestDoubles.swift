import Foundation
import Logging
import NightshiftCore
import Scheduler
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A wall clock the test sets by hand.
final class ManualClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double

    init(_ start: Double) { current = start }

    func now() -> Double {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func set(_ time: Double) {
        lock.lock()
        current = time
        lock.unlock()
    }
}

/// A child whose end the test decides; kills end it with the signal.
final class ScriptedChild: RunningChild, @unchecked Sendable {
    let pid: Int32
    let identity: String? = nil
    let request: RunRequest
    /// The real time (system clock) the daemon launched it.
    let launchedAt = Date().timeIntervalSince1970
    private let lock = NSLock()
    private var exit: ChildExit?
    private(set) var signals: [Int32] = []

    init(pid: Int32, request: RunRequest) {
        self.pid = pid
        self.request = request
    }

    func finish(_ status: Int32 = 0) {
        lock.lock()
        exit = .exited(status)
        lock.unlock()
    }

    /// Where the daemon asked `nightshift run` to leave its receipt (`--result-file`).
    var receiptPath: String? {
        guard let index = request.commandLine.firstIndex(of: "--result-file") else { return nil }
        return request.commandLine[index + 1]
    }

    /// Ends as `nightshift run` does: the receipt first, then the exit with its code.
    func finish(_ receipt: RunReceipt) throws {
        try receipt.write(to: try #require(receiptPath))
        finish(receipt.exitCode)
    }

    func poll() -> ChildExit? {
        lock.lock()
        defer { lock.unlock() }
        return exit
    }

    func kill(signal: Int32) {
        lock.lock()
        signals.append(signal)
        if exit == nil { exit = .signaled(signal) }
        lock.unlock()
    }
}

/// Records every launch; the children end when the test says.
final class ScriptedLauncher: RunLauncher, @unchecked Sendable {
    private let lock = NSLock()
    private var started: [ScriptedChild] = []

    var children: [ScriptedChild] {
        lock.lock()
        defer { lock.unlock() }
        return started
    }

    /// Slots launched, in order.
    var slots: [Int64] { children.map(\.request.slot) }

    func launch(_ request: RunRequest) throws -> any RunningChild {
        lock.lock()
        defer { lock.unlock() }
        let child = ScriptedChild(pid: Int32(1000 + started.count), request: request)
        started.append(child)
        return child
    }
}

/// A clock a fixed number of seconds off the system's: a host whose clock is wrong.
struct OffsetClock: WallClock {
    let offset: Double

    func now() -> Double { Date().timeIntervalSince1970 + offset }
}

/// A temporary folder removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "nightshift-sched-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// Builds a daemon over a fresh store of either kind with a scripted launcher and a manual
/// clock. A PostgreSQL store reads "now" from the same manual clock, so times are exact.
struct DaemonFixture {
    let directory = TemporaryDirectory()
    let clock: ManualClock
    let launcher = ScriptedLauncher()
    let kind: StoreKind
    let store: any SchedulerStore
    let settings: SchedulerSettings

    init(
        start: String, store kind: StoreKind, lateAfter: Int64 = 60, keepHistory: Int64 = 90 * 86_400,
        maxRunning: Int? = nil, pools: [String: Int] = [:]
    ) async throws {
        clock = ManualClock(Double(ISO8601.parse(start, defaultZone: .utc)!))
        self.kind = kind
        let url = kind == .postgres ? try TestPostgres.freshDatabase() : nil
        var settings = SchedulerSettings(
            statePath: directory.file("state.sqlite"), lateAfter: lateAfter, keepHistory: keepHistory, store: url,
            maxRunning: maxRunning)
        settings.pools = pools
        self.settings = settings
        store = try await Self.open(kind, settings: settings, clock: clock)
    }

    static func open(_ kind: StoreKind, settings: SchedulerSettings, clock: ManualClock, host: String = "test-host")
        async throws -> any SchedulerStore
    {
        switch kind {
        case .sqlite:
            return try SQLiteStore(path: settings.statePath, host: host)
        case .postgres:
            return try await PostgresStore(
                location: try PostgresLocation(url: settings.store!), password: TestPostgres.password, host: host,
                clockOverride: clock)
        }
    }

    /// Another connection to the same store, as `nightshift jobs pause` would open.
    func otherConnection() async throws -> any SchedulerStore {
        try await Self.open(kind, settings: settings, clock: clock)
    }

    /// A connection to the same store under another host name: another daemon's.
    func connection(host: String) async throws -> any SchedulerStore {
        try await Self.open(kind, settings: settings, clock: clock, host: host)
    }

    func daemon(
        _ jobs: [Job], reload: (@Sendable () throws -> JobConfiguration)? = nil,
        events: any SchedulerEvents = NoSchedulerEvents(), store: (any SchedulerStore)? = nil
    ) -> SchedulerDaemon {
        SchedulerDaemon(
            configuration: JobConfiguration(settings: settings, jobs: jobs), store: store ?? self.store, launcher: launcher,
            runner: ["nightshift"], clock: clock, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            reload: reload, events: events)
    }

    /// Moves the clock to `time` (ISO-8601) and ticks.
    func tick(_ daemon: SchedulerDaemon, at time: String) async {
        await tick(daemon, now: Double(ISO8601.parse(time, defaultZone: .utc)!))
    }

    /// Moves the clock to `time` (seconds since the epoch) and ticks.
    func tick(_ daemon: SchedulerDaemon, now time: Double) async {
        clock.set(time)
        await daemon.tick(now: time)
    }

    func history(_ job: String) async throws -> [JobRun] { try await store.history(job: job).reversed() }
}

func at(_ text: String) -> Int64 { ISO8601.parse(text, defaultZone: .utc)! }

func job(
    _ schedule: String, name: String = "topup", zone: String = "UTC", overlap: OverlapPolicy = .skip,
    catchUp: CatchUpPolicy = .once, jitter: Int64 = 0, timeout: Int64 = 300, command: [String]? = nil,
    retry: JobRetryPolicy? = nil
) throws -> Job {
    Job(
        name: name, script: "topup.lua", schedule: try Schedule(schedule), zone: try ZoneRules(identifier: zone),
        timeout: timeout, command: command, overlap: overlap, catchUp: catchUp, jitter: jitter, retry: retry)
}
