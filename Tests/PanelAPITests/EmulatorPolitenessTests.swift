import Foundation
import PanelAPI
@testable import PanelEmulator
import Testing

@Suite("The emulator: concurrent latency, flood protection, refusals, in-flight statistics")
struct EmulatorFaultTests {
    static func raw(_ path: String, body: String = "") -> EmulatorRequest {
        EmulatorRequest(path: path, body: Array(body.utf8), remoteIP: "127.0.0.1")
    }

    static func addCredits(_ id: Int, _ credits: Int) -> EmulatorRequest {
        raw("/api/resellers/add_credits", body: "api_key=\(PHPURLEncoding.encode(Fixture.key))&id=\(id)&credits=\(credits)")
    }

    @Test("20 concurrent requests with 200 ms latency wait out their latency all at once, not one after another")
    func latencyIsConcurrent() async throws {
        // Every latency sleep is held until the test releases them all.
        let latency = HeldSleep()
        let emulator = try await Fixture.emulator(seed: 3, faults: FaultPlan(latency: .milliseconds(200)), latency: latency)
        try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (client, http) = try EmulatorTests.httpClient(port: port, concurrency: 20)
            defer { Task { try? await http.shutdown() } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 { group.addTask { try await client.addCredits(.id(index % 3 + 1), 1) } }
                // Latency that queued requests behind each other would never have 20 asleep.
                await HeldTransport.until { latency.sleeping == 20 }
                latency.release()
                try await group.waitForAll()
            }
        }
        #expect(latency.maxSleeping == 20)
        #expect(latency.durations == Array(repeating: .milliseconds(200), count: 20))
        #expect(emulator.statistics.maxInFlight == 20)
    }

    @Test("latency jitter draws are uniform in 0...J, and the same seed gives the same delays")
    func jitterSeeded() {
        let first = FaultDice(seed: 7)
        let second = FaultDice(seed: 7)
        let draws = (0..<200).map { _ in first.uniform(upTo: .milliseconds(50)) }
        #expect(draws == (0..<200).map { _ in second.uniform(upTo: .milliseconds(50)) })
        #expect(draws.allSatisfy { $0 >= .zero && $0 <= .milliseconds(50) })
        #expect(Set(draws).count > 100)
        #expect(FaultPlan(latencyJitter: .milliseconds(5)).delays)
    }

    @Test("each request waits the latency plus its own seeded jitter draw")
    func jitterApplied() async throws {
        // Notes what each request asks to wait, and waits for nothing.
        let latency = HeldSleep(holding: false)
        let emulator = try await Fixture.emulator(
            seed: 1, faults: FaultPlan(latency: .milliseconds(10), latencyJitter: .milliseconds(150), seed: 9), latency: latency)
        for _ in 0..<4 { _ = await emulator.handle(Self.addCredits(1, 1)) }
        let expected = FaultDice(seed: 9)
        #expect(latency.durations == (0..<4).map { _ in .milliseconds(10) + expected.uniform(upTo: .milliseconds(150)) })
    }

    @Test("past --max-requests-per-second, requests get HTTP 429 with Retry-After: 1 and change nothing")
    func floodProtection() async throws {
        // All eight arrive at one instant, however long they take.
        let instant = ContinuousClock.now
        let limited = try await Fixture.emulator(seed: 1, maxRequestsPerSecond: 5, now: { instant })
        let before = try #require(try await limited.store.find(.id(1))).credits
        var outcomes: [EmulatorOutcome] = []
        for _ in 0..<8 { outcomes.append(await limited.handle(Self.addCredits(1, 1))) }
        let statuses = outcomes.map { if case .respond(let status, _, _, _) = $0 { status } else { 0 } }
        #expect(statuses == [200, 200, 200, 200, 200, 429, 429, 429])
        guard case .respond(_, _, let body, let retryAfter) = outcomes[7] else { return }
        #expect(retryAfter == "1")
        #expect(String(decoding: body, as: UTF8.self) == #"{"result":false,"error":"TOO MANY REQUESTS"}"#)
        #expect(try await limited.store.find(.id(1))?.credits == before + 5)
        #expect(limited.statistics.rejected429 == 3)
        #expect(limited.statistics.requests == 8)
    }

    @Test("the flood window slides: a second later requests are admitted again")
    func floodWindowSlides() async throws {
        let flood = FloodGuard(limit: 2)
        let start = ContinuousClock.now
        #expect(flood.admit(at: start))
        #expect(flood.admit(at: start + .milliseconds(500)))
        #expect(!flood.admit(at: start + .milliseconds(900)))
        #expect(flood.admit(at: start + .milliseconds(1000)))
        #expect(!flood.admit(at: start + .milliseconds(1400)))
        #expect(flood.admit(at: start + .milliseconds(1500)))
    }

    @Test("--refusal-rate 1 refuses every write before any change, and no read")
    func refusalAll() async throws {
        let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(refusalRate: 1))
        let before = try #require(try await emulator.store.find(.id(1))).credits
        let client = try Fixture.client(InProcessTransport(emulator: emulator))
        let error = await #expect(throws: PanelError.self) { try await client.addCredits(.id(1), 5) }
        #expect(error?.kind == .refused && error?.panelMessage == "REFUSED (injected fault)")
        #expect(try await client.list().count == 1)
        #expect(try await emulator.store.find(.id(1))?.credits == before)
    }

    @Test("--refusal-rate 0.1 refuses about one write in ten, the same ones for the same seed")
    func refusalTenPercent() async throws {
        func refusedIndexes() async throws -> [Int] {
            let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(refusalRate: 0.1, seed: 42))
            var refused: [Int] = []
            for index in 0..<1000 {
                if case .respond(_, _, let body, _) = await emulator.handle(Self.addCredits(1, 1)),
                    String(decoding: body, as: UTF8.self).contains("REFUSED (injected fault)")
                {
                    refused.append(index)
                }
            }
            return refused
        }
        let first = try await refusedIndexes()
        #expect((70...130).contains(first.count))
        #expect(try await refusedIndexes() == first)
    }

    @Test("GET /_emulator/stats answers the counters as JSON, with no key, over HTTP")
    func statsEndpoint() async throws {
        let emulator = try await Fixture.emulator(seed: 2)
        let body = try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (client, http) = try EmulatorTests.httpClient(port: port)
            defer { Task { try? await http.shutdown() } }
            _ = try await client.list()
            try await client.addCredits(.id(1), 1)
            let url = "http://127.0.0.1:\(port)/_emulator/stats"
            let answer = try await http.send(
                TransportRequest(url: url, redactedURL: url, path: "/_emulator/stats", body: [], timeout: .seconds(60), maxResponseBytes: 4096))
            return String(decoding: answer.body, as: UTF8.self)
        }
        #expect(body == #"{"requests":2,"in_flight":0,"max_in_flight":1,"rejected_429":0,"mutations":1}"#)
        #expect(emulator.statistics == EmulatorStatistics(requests: 2, inFlight: 0, maxInFlight: 1, rejected429: 0, mutations: 1))
    }
}

@Suite("PanelClient against the emulator over HTTP: concurrency, rate and overload hold end to end")
struct PolitenessOverHTTPTests {
    @Test("200 concurrent reads and writes at concurrency 8 never have more than 8 in flight at the panel")
    func highWaterMark() async throws {
        let latency = HeldSleep()
        let emulator = try await Fixture.emulator(seed: 4, faults: FaultPlan(latency: .milliseconds(20)), latency: latency)
        let before = try await emulator.store.all().reduce(0) { $0 + $1.credits }
        try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (client, http) = try EmulatorTests.httpClient(port: port, concurrency: 8)
            defer { Task { try? await http.shutdown() } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        if index % 4 == 0 { _ = try await client.list() } else { try await client.addCredits(.id(index % 4), 1) }
                    }
                }
                // The panel holds what reaches it until every call is either there or in line
                // at the gate: then eight are there, not one more.
                await HeldTransport.until { latency.sleeping + client.gate.waiting == 200 }
                #expect(latency.sleeping == 8)
                latency.release()
                try await group.waitForAll()
            }
        }
        #expect(emulator.statistics.maxInFlight == 8)
        #expect(emulator.statistics.requests == 200)
        #expect(try await emulator.store.all().reduce(0) { $0 + $1.credits } == before + 150)
    }

    @Test("at --rate 25 over HTTP, the 51 requests leave exactly 40 ms apart and all reach the panel")
    func rateOverHTTP() async throws {
        let emulator = try await Fixture.emulator(seed: 1)
        let clock = TestClock()
        let transport = ArrivalRecorder(now: clock.readNow)
        try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (client, http) = try EmulatorTests.httpClient(port: port, concurrency: 8, rate: 25)
            defer { Task { try? await http.shutdown() } }
            let recording = PanelClient(
                configuration: client.configuration, transport: transport.wrapping(http),
                gate: clock.gate(concurrency: 8, rate: 25), logger: Fixture.quiet)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<51 { group.addTask { try await recording.addCredits(.id(1), 1) } }
                await clock.paceStarts(51) { transport.arrivals.count }
                try await group.waitForAll()
            }
        }
        // When each was handed to the HTTP transport, on the test's clock, which moves only to
        // the instants the gate asks for.
        let arrivals = transport.arrivals
        #expect(arrivals.first == clock.start)
        #expect(zip(arrivals, arrivals.dropFirst()).map { $1 - $0 } == Array(repeating: .milliseconds(40), count: 50))
        #expect(emulator.statistics.requests == 51)
    }

    @Test("against a flood-protected panel every write is applied exactly once and reads are retried")
    func floodProtected() async throws {
        // The panel's flood window and the client's backoff share a clock that moves only when
        // the client sleeps out a backoff (to its end, at once): more than 40 requests come in
        // each of its seconds, whatever the machine's speed.
        let clock = TestClock()
        clock.runFree()
        let emulator = try await Fixture.emulator(
            seed: 3, faults: FaultPlan(latency: .milliseconds(10)), maxRequestsPerSecond: 40, now: clock.readNow)
        let before = try await emulator.store.all().reduce(0) { $0 + $1.credits }
        let reads = try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (configured, http) = try EmulatorTests.httpClient(
                port: port, concurrency: 8,
                overload: OverloadPolicy(maxAttempts: 20, initialDelay: .milliseconds(50), maxDelay: .milliseconds(400)))
            let client = PanelClient(
                configuration: configured.configuration, transport: http, gate: clock.gate(concurrency: 8),
                logger: Fixture.quiet)
            defer { Task { try? await http.shutdown() } }
            let reads = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<110 {
                    group.addTask {
                        if index % 11 == 0 { return try await client.list().count }
                        try await client.addCredits(.id(index % 3 + 1), 1)
                        return 0
                    }
                }
                return try await group.reduce(0, +)
            }
            return reads
        }
        #expect(emulator.statistics.rejected429 > 0)
        #expect(reads == 10 * 3)
        #expect(try await emulator.store.all().reduce(0) { $0 + $1.credits } == before + 100)
        #expect(emulator.statistics.requests == 110 + emulator.statistics.rejected429)
    }
}

/// Records when each request is handed to the wrapped transport, on the continuous clock or
/// on a test's own (`now`).
final class ArrivalRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [ContinuousClock.Instant] = []
    private let now: RequestGate.Now

    init(now: @escaping RequestGate.Now = { ContinuousClock.now }) { self.now = now }

    var arrivals: [ContinuousClock.Instant] { lock.withLock { times } }

    func wrapping(_ inner: any PanelTransport) -> some PanelTransport { Recording(inner: inner, recorder: self) }

    func note() {
        let instant = now()
        lock.withLock { times.append(instant) }
    }

    struct Recording: PanelTransport {
        let inner: any PanelTransport
        let recorder: ArrivalRecorder

        func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
            recorder.note()
            return try await inner.send(request)
        }
    }
}
