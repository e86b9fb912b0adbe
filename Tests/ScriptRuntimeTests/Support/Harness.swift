import Foundation
import LuaHost
import Logging
import NightshiftCore
import PanelAPI
import PanelEmulator
import Synchronization
import Testing
import TestScratch

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

let testKey = "sk-TEST-9f8e7d6c5b4a-secret"

/// Forwards to the emulator and remembers every request path, so tests can prove what was
/// (and was not) sent. Optionally holds each request for a time of the test's choosing, until
/// a ``Latch`` opens, or until the run stops (waits Swift cancellation cannot cut short, as a
/// request on the wire), and drops chosen ones.
final class RecordingTransport: PanelTransport {
    /// How long request number `n` (1-based, in the order they were sent) to `path` is held.
    typealias Delay = @Sendable (_ n: Int, _ path: String) -> Duration
    /// Whether request `n` is applied and then its connection dropped (outcome unknown); or,
    /// as `untilStop`, whether it is held until the run stops.
    typealias Drop = @Sendable (_ n: Int, _ path: String) -> Bool

    private let inner: InProcessTransport
    private let delay: Delay?
    private let hold: Latch?
    private let untilStop: Drop?
    private let drop: Drop?
    private let state = Mutex<(paths: [String], inFlight: Int, maxInFlight: Int)>(([], 0, 0))

    init(_ inner: InProcessTransport, delay: Delay? = nil, hold: Latch? = nil, untilStop: Drop? = nil, drop: Drop? = nil) {
        self.inner = inner
        self.delay = delay
        self.hold = hold
        self.untilStop = untilStop
        self.drop = drop
    }

    func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
        let n = state.withLock { s in
            s.paths.append(request.path)
            s.inFlight += 1
            s.maxInFlight = max(s.maxInFlight, s.inFlight)
            return s.paths.count
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        if let wait = delay?(n, request.path), wait > .zero {
            let (seconds, atto) = wait.components
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + Double(seconds) + Double(atto) / 1e18) { done.resume() }
            }
        }
        await hold?.wait()
        if untilStop?(n, request.path) == true { await Self.untilCancelled() }
        let response = try await inner.send(request)
        if drop?(n, request.path) == true { throw .connectionLost(reason: "dropped by the test") }
        return response
    }

    /// Returns once the calling task is cancelled, as a stopping run cancels every call (the
    /// request still goes on to its answer), or after five minutes: a give-up, so that a run
    /// that never stops fails its test rather than hangs it.
    private static func untilCancelled() async {
        let wake = Wake()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                wake.set(continuation)
                if Task.isCancelled { wake.fire() }
                DispatchQueue.global().asyncAfter(deadline: .now() + 300) { wake.fire() }
            }
        } onCancel: {
            wake.fire()
        }
    }

    /// Resumes a continuation once, whichever comes first: the continuation or the event.
    private final class Wake: Sendable {
        private let state = Mutex<(continuation: CheckedContinuation<Void, Never>?, fired: Bool)>((nil, false))

        func set(_ continuation: CheckedContinuation<Void, Never>) {
            let now = state.withLock { s in
                if s.fired { return true }
                s.continuation = continuation
                return false
            }
            if now { continuation.resume() }
        }

        func fire() {
            let continuation = state.withLock { s in
                defer { s.continuation = nil }
                if s.continuation == nil { s.fired = true }
                return s.continuation
            }
            continuation?.resume()
        }
    }

    var sent: [String] { state.withLock { $0.paths } }
    var writesSent: [String] { sent.filter { !$0.hasSuffix("/list") } }
    /// The most requests this transport ever had in flight at once.
    var maxInFlight: Int { state.withLock { $0.maxInFlight } }
}

/// A door that requests wait at until it opens, whatever happens to their task: holds requests
/// on the wire for as long as an order of events needs, not for a time. The test opens it, or
/// it opens once `count` requests wait at it together.
final class Latch: Sendable {
    private let count: Int?
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    /// - Parameter count: open once this many wait at once (nil: only ``open()`` opens it). A
    ///   latch with a count that is never reached opens after five minutes anyway, a give-up
    ///   so that a test whose requests never meet fails rather than hangs.
    init(opensAt count: Int? = nil) {
        self.count = count
        if count != nil { DispatchQueue.global().asyncAfter(deadline: .now() + 300) { [self] in open() } }
    }

    /// Returns once the latch is open (at once if it is).
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let go = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                if s.open { return [continuation] }
                s.waiting.append(continuation)
                guard let count, s.waiting.count >= count else { return [] }
                s.open = true
                defer { s.waiting.removeAll() }
                return s.waiting
            }
            for waiter in go { waiter.resume() }
        }
    }

    /// Opens the latch: every waiter goes on, and later ones do not wait.
    func open() {
        let waiting = state.withLock { s in
            s.open = true
            defer { s.waiting.removeAll() }
            return s.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

/// Answers confirm prompts from a list (then no), remembering what was asked.
final class ScriptedConfirmer: WriteConfirmer {
    private let state: Mutex<(answers: [Bool], asked: [String])>
    init(_ answers: [Bool]) { state = Mutex((answers, [])) }
    func confirm(_ change: PlannedChange) -> Bool {
        state.withLock { s in
            s.asked.append(change.description)
            return s.answers.isEmpty ? false : s.answers.removeFirst()
        }
    }
    var asked: [String] { state.withLock { $0.asked } }
}

/// An emulated panel with known resellers, an audit log in a temporary folder, and a way to
/// run scripts against them.
struct Harness {
    let emulator: PanelEmulator
    let transport: RecordingTransport
    let client: PanelClient
    let audit: AuditLog
    let folder: String

    /// Resellers: alice (id 1, 100 credits), bob (id 2, 5 credits), carol (id 3, 0 credits, no credits use).
    static func make(
        numbers: ResponseDialect.Numbers = .strings, faults: FaultPlan = FaultPlan(), resellers extraResellers: Int = 0,
        delay: RecordingTransport.Delay? = nil, hold: Latch? = nil, untilStop: RecordingTransport.Drop? = nil,
        drop: RecordingTransport.Drop? = nil,
        concurrency: Int = PanelConfiguration.defaultConcurrency
    ) async throws -> Harness {
        let folder = try Scratch.folder("nightshift-test")
        let store = try ResellerStore(path: folder + "/panel.sqlite")
        var extra = JSONObject()
        extra["email"] = .string("alice@example.com")
        _ = try await store.create(username: "alice", credits: 100, maxAllowedConnections: 5, useCredits: true, extra: extra)
        _ = try await store.create(username: "bob", credits: 5, maxAllowedConnections: 1, useCredits: true)
        _ = try await store.create(username: "carol", credits: 0, maxAllowedConnections: 50, useCredits: false)
        for i in 0..<extraResellers {
            _ = try await store.create(username: "r\(i + 4)", credits: 1000, maxAllowedConnections: 1, useCredits: true)
        }
        var dialect = ResponseDialect()
        dialect.numbers = numbers
        let emulator = PanelEmulator(
            settings: EmulatorSettings(apiKey: testKey, dialect: dialect, faults: faults), store: store,
            logger: Logger(label: "test.emulator"))
        let transport = RecordingTransport(
            InProcessTransport(emulator: emulator), delay: delay, hold: hold, untilStop: untilStop, drop: drop)
        // The panel's timeout is a give-up here, far more than an in-process call takes on a
        // loaded machine.
        var configuration = PanelConfiguration(
            baseURL: try PanelURL("http://127.0.0.1:8000/"), apiKey: APIKey(testKey), timeout: .seconds(300),
            retry: PanelRetryPolicy(maxAttempts: 1))
        configuration.concurrency = concurrency
        let client = PanelClient(configuration: configuration, transport: transport, logger: Logger(label: "test.client"))
        let audit = try AuditLog(path: folder + "/audit.sqlite")
        return Harness(emulator: emulator, transport: transport, client: client, audit: audit, folder: folder)
    }

    /// Runs `source` on its own thread (host functions block) and returns the result; with
    /// `expecting`, also expects the run to end with that status (showing the run's error when
    /// it does not). A script that checks its own claims with `assert` expects `.succeeded`.
    @discardableResult
    func run(
        _ source: String, grant: Grant = Grant(), mode: RunMode = .live, arguments: [(key: String, value: String)] = [],
        confirmer: (any WriteConfirmer)? = nil, limits: LuaLimits = LuaLimits(time: .seconds(20)),
        maxTasks: Int = ScriptRun.defaultMaxTasks, output: OutputSink = OutputSink { _ in }, modulePaths: [String] = [],
        notifier: Notifier? = nil, panel: String = PanelDefinition.defaultName, fleet: FleetLedger? = nil,
        expecting status: RunStatus? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RunResult {
        let run = ScriptRun(
            scriptPath: "test.lua", source: Array(source.utf8), arguments: arguments, grant: grant, mode: mode, limits: limits,
            maxTasks: maxTasks, modulePaths: modulePaths, panel: panel, fleet: fleet)
        let runner = try ScriptRunner(
            run: run, client: client, audit: audit, confirmer: confirmer, output: output,
            logger: Logger(label: "test.run"), notifier: notifier)
        let result = await ScriptThread.run { runner.execute() }
        if let status {
            #expect(result.status == status, "\(result.error ?? "")", sourceLocation: sourceLocation)
        }
        return result
    }

    func credits(_ username: String) async throws -> Int? {
        try await emulator.store.find(.username(username))?.credits
    }

    func writes(_ runID: String) throws -> [AuditEntry] { try audit.writes(runID: runID) }
}

/// A grant for writes: the given functions plus reads, and caps.
func writeGrant(_ functions: APIFunction..., max: Int = 10_000, perReseller: Int? = nil) -> Grant {
    Grant(allowed: Set(functions).union([.resellersList]), maxCredits: max, maxCreditsPerReseller: perReseller)
}
