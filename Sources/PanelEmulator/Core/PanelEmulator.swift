import Foundation
import Logging
import PanelAPI

/// A MidnightStreamer Pro panel's reseller API, as a request handler independent of any
/// server: ``EmulatorService`` serves it over HTTP, ``InProcessTransport`` calls it directly.
///
/// Requests are read the way PHP reads them (`$_POST` semantics, see ``PHPFormParser``);
/// the key is accepted as the `api_key` field or as the 4th path segment
/// (`/api/resellers/list/KEY`).
public final class PanelEmulator: Sendable {
    /// What the panel accepts and how it answers.
    public let settings: EmulatorSettings
    /// The resellers.
    public let store: ResellerStore
    let dice: FaultDice
    let logger: Logger
    private let connections = ConnectionTally()
    private let counter = StatisticsCounter()
    private let flood: FloodGuard?

    /// The path of the statistics request: `GET /_emulator/stats` answers
    /// `{"requests":N,"in_flight":N,"max_in_flight":N,"rejected_429":N}`, needs no key,
    /// and is itself neither counted, delayed nor flood-limited.
    public static let statsPath = "/_emulator/stats"

    /// Requests seen, in flight, the in-flight high-water mark and flood rejections.
    public var statistics: EmulatorStatistics { counter.snapshot }

    /// How many distinct client connections (remote ports) have sent requests so far; shows
    /// whether a client reuses its connections.
    public var connectionsSeen: Int { connections.count }

    /// Waits out injected latency.
    let sleep: @Sendable (Duration) async -> Void
    /// The current instant, by which the flood protection counts requests.
    let now: @Sendable () -> ContinuousClock.Instant

    /// Creates an emulator over `store`.
    ///
    /// - Parameters:
    ///   - sleep: how a request waits out its latency; `Task.sleep` by default, injected by
    ///     tests that hold or record it.
    ///   - now: the time the flood protection counts requests by; `ContinuousClock.now` by
    ///     default, injected by tests that move time themselves.
    public init(
        settings: EmulatorSettings, store: ResellerStore, logger: Logger,
        sleep: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.sleep = sleep
        self.now = now
        self.settings = settings
        self.store = store
        self.dice = FaultDice(seed: settings.faults.seed)
        self.flood = settings.maxRequestsPerSecond.map { FloodGuard(limit: $0) }
        self.logger = logger
    }

    /// Adds `count` realistic resellers (see ``ResellerSeeder``).
    public func seed(count: Int, seed: UInt64 = ResellerSeeder().seed) async throws {
        try await store.insert(ResellerSeeder(seed: seed).make(count: count))
    }

    /// Handles one request, faults included.
    public func handle(_ request: EmulatorRequest) async -> EmulatorOutcome {
        if request.path == Self.statsPath {
            return .respond(status: 200, contentType: "application/json", body: JSONWriter.write(statistics.json))
        }
        counter.arrive()
        defer { counter.depart() }
        let faults = settings.faults
        if let port = request.remotePort { connections.note("\(request.remoteIP ?? ""):\(port)") }
        let admitted = flood?.admit(at: now()) ?? true
        if faults.delays {
            // Each request sleeps in its own task: latency never queues requests behind
            // each other.
            await sleep(faults.latency + dice.uniform(upTo: faults.latencyJitter))
        }
        guard admitted else {
            counter.rejected()
            logger.debug("request rejected: flood protection (HTTP 429)")
            return .respond(
                status: 429, contentType: settings.dialect.contentType,
                body: JSONWriter.write(.object(["result": result(false), "error": "TOO MANY REQUESTS"])),
                retryAfter: "1")
        }
        let segments = request.path.split(separator: "/").map(String.init)
        let apiIndex = segments.firstIndex(of: "api")
        let shownPath = Self.redactedPath(segments, apiIndex: apiIndex)
        logger.debug("request", metadata: ["path": "\(shownPath)", "ip": "\(request.remoteIP ?? "?")"])

        guard settings.allows(request.remoteIP) else { return authFailure(ip: true) }
        guard let apiIndex, segments.count >= apiIndex + 3 else {
            return .respond(status: 404, contentType: "text/html", body: Array("<h1>404 Not Found</h1>".utf8))
        }
        let post = request.method == "POST" ? PHPFormParser.parse(request.body) : PHPArray()
        let pathKey = segments.count > apiIndex + 3 ? segments[apiIndex + 3].removingPercentEncoding : nil
        let bodyKey = post["api_key"]?.string
        guard pathKey == settings.apiKey || bodyKey == settings.apiKey else { return authFailure(ip: false) }

        if dice.roll(faults.errorRate) {
            return .respond(
                status: 500, contentType: "text/html",
                body: Array("<html><body><h1>500 Internal Server Error</h1></body></html>".utf8))
        }
        let group = segments[apiIndex + 1]
        let action = segments[apiIndex + 2]
        if Self.isMutation(group: group, action: action) { counter.mutation() }
        if Self.isMutation(group: group, action: action), dice.roll(faults.refusalRate) {
            return json(.object(["result": result(false), "error": "REFUSED (injected fault)"]))
        }
        let answer: JSONValue
        do {
            answer = try await route(group: group, action: action, post: post)
        } catch let refusal as Refusal {
            answer = .object(["result": result(false), "error": .string(refusal.message)])
        } catch is CancellationError {
            // A cancelled in-process read: its caller has gone, nothing to log.
            answer = .object(["result": result(false), "error": "DATABASE ERROR"])
        } catch {
            logger.error("emulator storage error", metadata: ["error": "\(error)"])
            answer = .object(["result": result(false), "error": "DATABASE ERROR"])
        }
        if dice.roll(faults.dropRate) { return .drop }
        return json(answer)
    }

    /// The panel's reason for saying no.
    struct Refusal: Error {
        let message: String
    }

    static func isMutation(group: String, action: String) -> Bool {
        group == "resellers" && (action == "new" || action == "update" || action == "add_credits")
    }

    private func route(group: String, action: String, post: PHPArray) async throws -> JSONValue {
        switch (group, action) {
        case ("resellers", "new"): return .object(try await new(post))
        case ("resellers", "update"): return .object(try await update(post))
        case ("resellers", "add_credits"): return .object(try await addCredits(post))
        case ("resellers", "list"): return try await list()
        default: throw Refusal(message: "INVALID REQUEST (\(group)/\(action))")
        }
    }

    // MARK: Answers

    func result(_ flag: Bool) -> JSONValue {
        switch settings.dialect.resultStyle {
        case .bool: .bool(flag)
        case .string: .string(flag ? "true" : "false")
        case .number: .int(flag ? 1 : 0)
        }
    }

    func json(_ value: JSONValue) -> EmulatorOutcome {
        .respond(status: 200, contentType: settings.dialect.contentType, body: JSONWriter.write(value))
    }

    private func authFailure(ip: Bool) -> EmulatorOutcome {
        switch settings.dialect.authFailure {
        case .zeroKey:
            return json(.object(["result": result(false), "0": .string(ip ? "IP FORBIDDEN" : "KEY WRONG")]))
        case .errorField:
            return json(.object(["result": result(false), "error": .string(ip ? "IP NOT ALLOWED" : "INVALID API KEY")]))
        case .html403:
            let reason = ip ? "Your IP address is not allowed" : "Access denied"
            return .respond(
                status: 403, contentType: "text/html",
                body: Array("<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1><p>\(reason)</p></body></html>".utf8))
        }
    }

    private static func redactedPath(_ segments: [String], apiIndex: Int?) -> String {
        var shown = segments
        if let apiIndex, shown.count > apiIndex + 3 { shown[apiIndex + 3] = APIKey.redacted }
        return "/" + shown.joined(separator: "/")
    }
}

extension String {
    /// Percent-decoding as PHP's `rawurldecode`.
    var removingPercentEncoding: String {
        var bytes: [UInt8] = []
        for byte in utf8 { bytes.append(byte == UInt8(ascii: "+") ? 0x01 : byte) }
        // rawurldecode keeps '+': protect it from urldecode's '+' to space rule.
        let decoded = PHPURLEncoding.decode(bytes).map { $0 == 0x01 ? UInt8(ascii: "+") : $0 }
        return String(decoding: decoded, as: UTF8.self)
    }
}

/// Remembers the client connections seen, safely from concurrent requests.
final class ConnectionTally: @unchecked Sendable {
    private let lock = NSLock()
    private var seen = Set<String>()

    func note(_ connection: String) { lock.withLock { _ = seen.insert(connection) } }

    var count: Int { lock.withLock { seen.count } }
}
