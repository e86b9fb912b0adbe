import Console
import Foundation
import Logging
import NightshiftCore
import Scheduler
import RunRecords
import ServiceLifecycle
import TestScratch

/// A clock the test moves.
final class TestClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Double

    init(_ seconds: Double = 1_767_225_600) {  // 2026-01-01T00:00:00Z
        self.seconds = seconds
    }

    func now() -> Double { lock.withLock { seconds } }

    func advance(_ by: Double) { lock.withLock { seconds += by } }
}

/// A console on 127.0.0.1 (a free port) over a real SQLite scheduler store and audit log in
/// a scratch folder, with four users (cost-4 bcrypt: tests log in quickly): `vera` (viewer),
/// `otto` (operator), `abby` (approver), `ada` (admin), each with password `password-of-NAME`.
/// Two jobs: `nightly` (`0 3 * * *`, a webhook) and `hourly` (`@every 1h`).
final class ConsoleHarness: Sendable {
    /// A secret the console is told about, planted in records by tests that check it never shows.
    static let apiKey = "nsk-live-4f9a1c2e7b"
    /// The webhook URL of the job `nightly`, also a secret.
    static let webhook = "https://hooks.example.test/notify/T0KEN-9d8c7b6a"

    let folder: String
    let port: Int
    let http: RawHTTP
    let audit: AuditLog
    let store: any SchedulerStore
    let clock: TestClock
    let usersFile: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(
        folder: String, port: Int, audit: AuditLog, store: any SchedulerStore, clock: TestClock, usersFile: String,
        group: ServiceGroup, task: Task<Void, any Error>
    ) {
        self.folder = folder
        self.port = port
        http = RawHTTP(port: port)
        self.audit = audit
        self.store = store
        self.clock = clock
        self.usersFile = usersFile
        self.group = group
        self.task = task
    }

    /// The jobs file every harness uses; `console` is the `[console]` table's body, `store`
    /// a PostgreSQL URL for the scheduler's store (else SQLite beside the file).
    static func jobsFile(console: String, store: String? = nil) -> String {
        """
        [scheduler]
        state = "state.sqlite"
        \(store.map { "store = \"\($0)\"" } ?? "")

        [console]
        \(console)

        [[jobs]]
        name = "nightly"
        script = "topup.lua"
        schedule = "0 3 * * *"
        timezone = "Europe/Paris"
        notify = { webhook = "\(webhook)", on = ["failure", "recovered"] }

        [[jobs]]
        name = "hourly"
        script = "report.lua"
        schedule = "@every 1h"
        """
    }

    /// Starts a console, runs `body`, and stops it (pass or fail).
    /// - Parameters:
    ///   - console: extra lines of the `[console]` table.
    ///   - postgres: keep the scheduler's state in a fresh database of the cluster
    ///     `scripts/with-postgres` started, rather than in SQLite.
    ///   - plans: the plans the console keeps (none by default).
    static func with(
        throttle: LoginThrottle.Limits = .standard, console extra: String = "", postgres: Bool = false,
        plans: (any ConsolePlans)? = nil, _ body: (ConsoleHarness) async throws -> Void
    ) async throws {
        let folder = try Scratch.folder("console")
        let jobsPath = folder + "/jobs.toml"
        try jobsFile(
            console: "listen = \"127.0.0.1:0\"\nusers = \"users.toml\"\n" + extra,
            store: postgres ? try TestDatabase.fresh() : nil
        ).write(toFile: jobsPath, atomically: true, encoding: .utf8)
        let configuration = try JobConfiguration.load(path: jobsPath)
        let settings = configuration.console!
        for (name, role) in [("vera", ConsoleRole.viewer), ("otto", .operator), ("abby", .approver), ("ada", .admin)] {
            try ConsoleUsers.add(name: name, role: role, password: "password-of-\(name)", path: settings.usersFile, cost: 4)
        }
        let store = try await SchedulerStores.open(
            settings: configuration.settings, environment: ProcessInfo.processInfo.environment, host: "test-host")
        let audit = try AuditLog(path: folder + "/audit.sqlite", host: "test-host")
        let clock = TestClock()
        let sources = ConsoleSources(
            jobs: { try JobConfiguration.load(path: jobsPath) }, store: store, records: AuditRecords(audit: audit),
            plans: plans, secrets: ConsoleSources.secrets(of: configuration) + [apiKey])
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let server = try ConsoleServer(
            settings: settings, sources: sources, clock: clock, throttle: throttle,
            logger: Logger(label: "console-test") { _ in SwiftLogNoOpLogHandler() },
            onRunning: { port in portSink.yield(port) })
        let group = ServiceGroup(
            configuration: .init(services: [server], logger: Logger(label: "console-test") { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw RawHTTP.Failure(description: "the console did not start") }
        let harness = ConsoleHarness(
            folder: folder, port: port, audit: audit, store: store, clock: clock, usersFile: settings.usersFile,
            group: group, task: task)
        do {
            try await body(harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    private func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await store.close()
    }

    // MARK: Sessions

    /// A logged-in session: its cookie header and its CSRF token.
    struct Session {
        var cookie: String
        var csrf: String
    }

    /// The login form's session: its cookie header and CSRF token.
    func loginForm() async throws -> Session {
        let page = try await http.get("/login")
        guard let id = page.cookie("nightshift_console"), let csrf = Self.csrf(in: page.body) else {
            throw RawHTTP.Failure(description: "the login page gave no session or token: \(page)")
        }
        return Session(cookie: "nightshift_console=\(id)", csrf: csrf)
    }

    /// Logs `name` in with its password; returns the new session.
    func login(_ name: String, password: String? = nil) async throws -> Session {
        let form = try await loginForm()
        let reply = try await http.post(
            "/login", form: [("csrf", form.csrf), ("name", name), ("password", password ?? "password-of-\(name)")],
            cookie: form.cookie)
        guard reply.status == 303, let id = reply.cookie("nightshift_console") else {
            throw RawHTTP.Failure(description: "login of \(name) failed: \(reply)")
        }
        let cookie = "nightshift_console=\(id)"
        let jobs = try await http.get("/jobs", cookie: cookie)
        guard let csrf = Self.csrf(in: jobs.body) else { throw RawHTTP.Failure(description: "no token on /jobs: \(jobs)") }
        return Session(cookie: cookie, csrf: csrf)
    }

    /// The `csrf` hidden field's value in a page.
    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    // MARK: Records

    /// Records a finished run with `output`, and its writes (sent for plan `planID`, when given).
    func seedRun(
        id: String, script: String = "topup.lua", output: String = "", status: RunStatus = .succeeded,
        startedAt: String = "2026-01-01T02:00:00.000Z", origin: AuditRunOrigin? = nil, planID: String? = nil,
        writes: [(target: String, change: Int, before: Int, answer: String)] = []
    ) throws {
        try audit.startRun(
            RunRecord(
                id: id, scriptPath: script, scriptHash: String(repeating: "ab", count: 32), arguments: "amount=250",
                grant: "resellers.add_credits, max 5000 credits", mode: "live", startedAt: startedAt))
        if let origin { try audit.recordOrigin(runID: id, origin: origin, startedAt: startedAt) }
        for (index, write) in writes.enumerated() {
            let row = try audit.record(
                AuditEntry(
                    time: startedAt.replacingOccurrences(of: ".000Z", with: String(format: ".%03dZ", index + 1)), runID: id,
                    scriptPath: script, scriptHash: "ab", endpoint: "resellers.add_credits", target: write.target,
                    parameters: "id=6&credits=\(write.change)", mode: "live", outcome: "outcome unknown",
                    creditChange: write.change, creditsBefore: write.before, creditsAfter: write.before + write.change,
                    planID: planID))
            try audit.complete(row, outcome: "done", answer: write.answer)
        }
        try audit.finishRun(id: id, endedAt: startedAt, status: status, output: output, error: nil, modules: "lib/common.lua 0123abcd")
    }

    /// The console actions recorded, newest first.
    func actions() throws -> [ConsoleActionEntry] {
        try audit.consoleActions(limit: 1000)
    }

    /// The triggers waiting in the store for `job`.
    func triggers(_ job: String) async throws -> Int {
        try await store.takeTriggers(jobs: [job]).count
    }
}
