import Foundation
import Logging
import PanelAPI
import PanelEmulator
import TestScratch

/// A transport that answers from a script and records what it was asked.
final class StubTransport: PanelTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [Result<TransportResponse, TransportFailure>]
    private(set) var requests: [TransportRequest] = []

    init(_ answers: [Result<TransportResponse, TransportFailure>]) { self.answers = answers }

    /// Answers every call with `body` (status 200, `text/html` as panels do).
    convenience init(body: String, status: Int = 200) {
        self.init([.success(TransportResponse(status: status, contentType: "text/html", body: Array(body.utf8)))])
    }

    var callCount: Int { lock.withLock { requests.count } }

    func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
        let answer: Result<TransportResponse, TransportFailure> = lock.withLock {
            requests.append(request)
            return answers.count > 1 ? answers.removeFirst() : answers[0]
        }
        return try answer.get()
    }
}

/// Collects every log line (message and metadata) for inspection.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    func append(_ line: String) { lock.withLock { lines.append(line) } }

    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all)")
        }
    }
}

enum Fixture {
    static let key = "S3cr3t-K3y~with spaces&stuff"
    static let quiet = Logger(label: "test.quiet") { _ in SwiftLogNoOpLogHandler() }

    static func client(
        _ transport: any PanelTransport, placement: KeyPlacement = .postField, key: String = Fixture.key,
        base: String = "http://panel.example:8000/", timeout: Duration = .seconds(30), retry: PanelRetryPolicy = PanelRetryPolicy(sleep: { _ in }),
        maxResponseBytes: Int = 32 * 1024 * 1024, logger: Logger = Fixture.quiet
    ) throws -> PanelClient {
        PanelClient(
            configuration: PanelConfiguration(
                baseURL: try PanelURL(base), apiKey: APIKey(key), keyPlacement: placement, timeout: timeout,
                maxResponseBytes: maxResponseBytes, retry: retry),
            transport: transport, logger: logger)
    }

    /// An emulator over an in-memory store, optionally seeded. `latency` takes its latency
    /// sleeps (to hold or note them); `now` is the clock its flood protection counts by.
    static func emulator(
        seed: Int = 0, key: String = Fixture.key, allowedIPs: Set<String> = [], dialect: ResponseDialect = ResponseDialect(),
        faults: FaultPlan = FaultPlan(), maxRequestsPerSecond: Int? = nil, storePath: String = ":memory:",
        latency: HeldSleep? = nil, now: @escaping RequestGate.Now = { ContinuousClock.now }
    ) async throws -> PanelEmulator {
        var sleep: @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }
        if let latency { sleep = latency.sleep }
        let emulator = PanelEmulator(
            settings: EmulatorSettings(
                apiKey: key, allowedIPs: allowedIPs, dialect: dialect, faults: faults, maxRequestsPerSecond: maxRequestsPerSecond),
            store: try ResellerStore(path: storePath), logger: quiet, sleep: sleep, now: now)
        if seed > 0 { try await emulator.seed(count: seed) }
        return emulator
    }

    /// A path for a throwaway SQLite file.
    static func temporaryDatabase() -> String {
        Scratch.path("nightshift-emu") + ".sqlite"
    }

    /// Removes a throwaway SQLite file and its WAL companions.
    static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

extension PanelError {
    /// The error's kind, or `nil`; for `#expect(throws:)`-free checks.
    static func kind(of body: () async throws -> Void) async -> PanelError.Kind? {
        do {
            try await body()
            return nil
        } catch let error as PanelError {
            return error.kind
        } catch {
            return nil
        }
    }
}
