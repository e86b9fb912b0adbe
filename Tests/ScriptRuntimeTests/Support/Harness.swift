import Foundation
import LuaHost
import Logging
import PanelAPI
import PanelEmulator
import Synchronization

@testable import ScriptRuntime

let testKey = "sk-TEST-9f8e7d6c5b4a-secret"

/// Forwards to the emulator and remembers every request path, so tests can prove what was
/// (and was not) sent.
final class RecordingTransport: PanelTransport {
    private let inner: InProcessTransport
    private let paths = Mutex<[String]>([])

    init(_ inner: InProcessTransport) { self.inner = inner }

    func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
        paths.withLock { $0.append(request.path) }
        return try await inner.send(request)
    }

    var sent: [String] { paths.withLock { $0 } }
    var writesSent: [String] { sent.filter { !$0.hasSuffix("/list") } }
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
    static func make(numbers: ResponseDialect.Numbers = .strings, faults: FaultPlan = FaultPlan()) async throws -> Harness {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nightshift-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store = try ResellerStore(path: folder + "/panel.sqlite")
        var extra = JSONObject()
        extra["email"] = .string("alice@example.com")
        _ = try await store.create(username: "alice", credits: 100, maxAllowedConnections: 5, useCredits: true, extra: extra)
        _ = try await store.create(username: "bob", credits: 5, maxAllowedConnections: 1, useCredits: true)
        _ = try await store.create(username: "carol", credits: 0, maxAllowedConnections: 50, useCredits: false)
        var dialect = ResponseDialect()
        dialect.numbers = numbers
        let emulator = PanelEmulator(
            settings: EmulatorSettings(apiKey: testKey, dialect: dialect, faults: faults), store: store,
            logger: Logger(label: "test.emulator"))
        let transport = RecordingTransport(InProcessTransport(emulator: emulator))
        let configuration = PanelConfiguration(
            baseURL: try PanelURL("http://127.0.0.1:8000/"), apiKey: APIKey(testKey), timeout: .seconds(5),
            retry: RetryPolicy(maxAttempts: 1))
        let client = PanelClient(configuration: configuration, transport: transport, logger: Logger(label: "test.client"))
        let audit = try AuditLog(path: folder + "/audit.sqlite")
        return Harness(emulator: emulator, transport: transport, client: client, audit: audit, folder: folder)
    }

    /// Runs `source` on its own thread (host functions block) and returns the result.
    func run(
        _ source: String, grant: Grant = Grant(), mode: RunMode = .live, arguments: [(key: String, value: String)] = [],
        confirmer: (any WriteConfirmer)? = nil, limits: LuaLimits = LuaLimits(time: .seconds(20))
    ) async throws -> RunResult {
        let run = ScriptRun(
            scriptPath: "test.lua", source: Array(source.utf8), arguments: arguments, grant: grant, mode: mode, limits: limits)
        let runner = try ScriptRunner(
            run: run, client: client, audit: audit, confirmer: confirmer, output: OutputSink { _ in },
            logger: Logger(label: "test.run"))
        return await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: runner.execute()) }
            thread.stackSize = 16 << 20
            thread.start()
        }
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
