import Foundation
import Logging
import NIOPosix
import PanelAPI
import PanelEmulator
import Testing

@Suite("The emulator over real HTTP on loopback")
struct EmulatorTests {
    static func withServer<T: Sendable>(
        _ emulator: PanelEmulator, _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        try await emulator.withRunningServer(logger: Fixture.quiet, body)
    }

    static func httpClient(
        port: Int, placement: KeyPlacement = .postField, prefix: String = "", timeout: Duration = .seconds(30),
        concurrency: Int = PanelConfiguration.defaultConcurrency, rate: Double? = nil,
        overload: OverloadPolicy = OverloadPolicy()
    ) throws -> (PanelClient, HTTPTransport) {
        PanelClient.http(
            configuration: PanelConfiguration(
                baseURL: try PanelURL("http://127.0.0.1:\(port)/\(prefix)"), apiKey: APIKey(Fixture.key),
                keyPlacement: placement, timeout: timeout, connectTimeout: min(timeout, .seconds(600)),
                retry: PanelRetryPolicy(sleep: { _ in }), concurrency: concurrency, rate: rate, overload: overload),
            logger: Fixture.quiet)
    }

    /// An emulator seeded with five resellers over the SQLite file at `path`, so that writes go
    /// through a real database, and reseller `id`'s credits before the test.
    static func fileEmulator(at path: String, creditsOf id: Int) async throws -> (PanelEmulator, Int) {
        let emulator = try await Fixture.emulator(seed: 5, storePath: path)
        return (emulator, try #require(try await emulator.store.find(.id(id))).credits)
    }

    @Test("both key placements work over HTTP", arguments: KeyPlacement.allCases)
    func keyPlacements(placement: KeyPlacement) async throws {
        let emulator = try await Fixture.emulator(seed: 3)
        let count = try await Self.withServer(emulator) { port in
            let (client, http) = try Self.httpClient(port: port, placement: placement)
            defer { Task { try await http.shutdown() } }
            return try await client.list().count
        }
        #expect(count == 3)
    }

    @Test("a base URL with a path prefix reaches the panel")
    func pathPrefix() async throws {
        let emulator = try await Fixture.emulator(seed: 2)
        let count = try await Self.withServer(emulator) { port in
            let (client, http) = try Self.httpClient(port: port, prefix: "panel/")
            defer { Task { try await http.shutdown() } }
            return try await client.list().count
        }
        #expect(count == 2)
    }

    @Test("new, update, add_credits and list change and show the stored resellers")
    func endpoints() async throws {
        let emulator = try await Fixture.emulator()
        try await Self.withServer(emulator) { port in
            let (client, http) = try Self.httpClient(port: port)
            let created = try await client.new(
                NewReseller(name: "nova", maxAllowedConnections: 20, useCredits: true, credits: 10, extra: ["email": "n@x.example"]))
            let id = try #require(created.createdID)
            try await client.addCredits(.id(id), 15)
            try await client.update(.username("nova"), fields: ["max_allowed_connections": 30, "notes": "gold"])
            let reseller = try #require(try await client.list().first { $0.id == id })
            try await http.shutdown()
            #expect(reseller.credits == 25 && reseller.maxAllowedConnections == 30 && reseller.useCredits == true)
            #expect(reseller.unknownFields == ["email": "n@x.example", "notes": "gold"])
        }
    }

    @Test("creating an existing username is refused with EXISTS")
    func duplicate() async throws {
        let client = try Fixture.client(InProcessTransport(emulator: try await Fixture.emulator()))
        try await client.new(NewReseller(name: "dup"))
        let error = await #expect(throws: PanelError.self) { try await client.new(NewReseller(name: "dup")) }
        #expect(error?.panelMessage == "EXISTS")
    }

    @Test("credits cannot go below zero: NOT ENOUGH CREDITS")
    func notEnough() async throws {
        let emulator = try await Fixture.emulator()
        let client = try Fixture.client(InProcessTransport(emulator: emulator))
        try await client.new(NewReseller(name: "poor", credits: 3))
        let error = await #expect(throws: PanelError.self) { try await client.addCredits(.username("poor"), -4) }
        #expect(error?.panelMessage == "NOT ENOUGH CREDITS")
        #expect(try await emulator.store.find(.username("poor"))?.credits == 3)
    }

    @Test("the last duplicate field wins, as in PHP")
    func lastDuplicateWins() async throws {
        let emulator = try await Fixture.emulator(seed: 1)
        let body = Array("api_key=\(PHPURLEncoding.encode(Fixture.key))&id=1&credits=1&credits=40".utf8)
        let before = try #require(try await emulator.store.find(.id(1))).credits
        _ = await emulator.handle(EmulatorRequest(path: "/api/resellers/add_credits", body: body, remoteIP: "127.0.0.1"))
        #expect(try await emulator.store.find(.id(1))?.credits == before + 40)
    }

    @Test("every dialect's list decodes to the same resellers", arguments: ResponseDialect.ListShape.allCases, ResponseDialect.Numbers.allCases)
    func dialects(shape: ResponseDialect.ListShape, numbers: ResponseDialect.Numbers) async throws {
        let reference = try await Fixture.client(InProcessTransport(emulator: try await Fixture.emulator(seed: 20))).list()
        for style in ResponseDialect.ResultStyle.allCases {
            let dialect = ResponseDialect(listShape: shape, numbers: numbers, resultStyle: style, contentType: "application/json")
            let client = try Fixture.client(InProcessTransport(emulator: try await Fixture.emulator(seed: 20, dialect: dialect)))
            let listed = try await client.list()
            #expect(listed.map(\.id) == reference.map(\.id))
            #expect(listed.map(\.credits) == reference.map(\.credits))
            #expect(listed.map(\.useCredits) == reference.map(\.useCredits))
            #expect(listed.map { $0.unknownFields.keys } == reference.map { $0.unknownFields.keys })
            try await client.addCredits(.id(1), 1)
        }
    }

    @Test("1,000 concurrent add_credits of 1 leave the reseller exactly 1,000 credits richer")
    func concurrentCredits() async throws {
        let path = Fixture.temporaryDatabase()
        defer { Fixture.removeDatabase(path) }
        let (emulator, before) = try await Self.fileEmulator(at: path, creditsOf: 3)
        let failures = try await Self.withServer(emulator) { port in
            // The claim is exactness, not speed: queued behind the connection pool on a busy
            // CI machine, the last requests may wait long, so none may time out here.
            let (client, http) = try Self.httpClient(port: port, timeout: .seconds(600))
            let failures = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<1000 {
                    group.addTask {
                        do {
                            try await client.addCredits(.id(3), 1)
                            return 0
                        } catch {
                            return 1
                        }
                    }
                }
                return await group.reduce(0, +)
            }
            try await http.shutdown()
            return failures
        }
        #expect(failures == 0)
        #expect(try await emulator.store.find(.id(3))?.credits == before + 1000)
    }

    @Test("on one event-loop thread shared by emulator and client, concurrent calls from the loop and from the pool are exact")
    func oneLoopThread() async throws {
        let path = Fixture.temporaryDatabase()
        defer { Fixture.removeDatabase(path) }
        let (emulator, before) = try await Self.fileEmulator(at: path, creditsOf: 2)
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (failures, listed) = try await emulator.withRunningServer(eventLoopGroup: loop, logger: Fixture.quiet) { port in
            let http = HTTPTransport(eventLoopGroup: loop, logger: Fixture.quiet)
            let client = PanelClient(
                configuration: PanelConfiguration(
                    baseURL: try PanelURL("http://127.0.0.1:\(port)/"), apiKey: APIKey(Fixture.key), timeout: .seconds(600)),
                transport: http, logger: Fixture.quiet)
            // Half the callers prefer the transport's loop (no thread hop), half run on the pool.
            let failures = await withTaskGroup(of: Int.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        do {
                            if index.isMultiple(of: 2) {
                                _ = try await withTaskExecutorPreference(http.executor) { try await client.addCredits(.id(2), 1) }
                            } else {
                                try await client.addCredits(.id(2), 1)
                            }
                            return 0
                        } catch {
                            return 1
                        }
                    }
                }
                return await group.reduce(0, +)
            }
            let listed = try await client.list().first { $0.id == 2 }?.credits
            try await http.shutdown()
            return (failures, listed)
        }
        try await loop.shutdownGracefully()
        #expect(failures == 0)
        #expect(listed == before + 300)
        #expect(try await emulator.store.find(.id(2))?.credits == before + 300)
    }

    @Test("the seeded store holds N distinct realistic resellers")
    func seeding() async throws {
        let emulator = try await Fixture.emulator(seed: 250)
        let all = try await emulator.store.all()
        #expect(all.count == 250)
        #expect(Set(all.map(\.username)).count == 250)
        #expect(all.allSatisfy { $0.extra["email"] != nil && $0.credits >= 0 })
    }
}

@Suite("The emulator service's lifecycle")
struct EmulatorLifecycleTests {
    @Test("after a graceful shutdown the port is closed and the data is kept in the SQLite file")
    func gracefulShutdown() async throws {
        let path = Fixture.temporaryDatabase()
        defer { Fixture.removeDatabase(path) }
        let emulator = try await Fixture.emulator(storePath: path)
        let port = try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (client, http) = try EmulatorTests.httpClient(port: port)
            try await client.new(NewReseller(name: "kept", credits: 9))
            try await http.shutdown()
            return port
        }
        let (client, http) = PanelClient.http(
            configuration: PanelConfiguration(
                baseURL: try PanelURL("http://127.0.0.1:\(port)/"), apiKey: APIKey(Fixture.key), connectTimeout: .seconds(1),
                retry: .none),
            logger: Fixture.quiet)
        let kind = await PanelError.kind { _ = try await client.list() }
        try await http.shutdown()
        // Refused at once, normally; in a parallel test run another test's server may take
        // the freed port and answer too slowly, a timeout: either way this emulator is gone.
        #expect(kind == .transport || kind == .timeout)
        #expect(try await ResellerStore(path: path).find(.username("kept"))?.credits == 9)
    }
}

@Suite("HTTPTransport reuses connections")
struct ConnectionReuseTests {
    @Test("50 sequential calls through one HTTPTransport arrive over a single connection")
    func sequentialCallsShareAConnection() async throws {
        let emulator = try await Fixture.emulator(seed: 2)
        let seen = try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (client, http) = try EmulatorTests.httpClient(port: port)
            for _ in 0..<50 { try await client.addCredits(.id(1), 1) }
            try await http.shutdown()
            return emulator.connectionsSeen
        }
        #expect(seen == 1)
    }
}

@Suite("Failures over real sockets")
struct HTTPFailureTests {
    static func client(port: Int, timeout: Duration = .seconds(30), maxResponseBytes: Int = 32 << 20) throws -> (PanelClient, HTTPTransport) {
        PanelClient.http(
            configuration: PanelConfiguration(
                baseURL: try PanelURL("http://127.0.0.1:\(port)/"), apiKey: APIKey(Fixture.key), timeout: timeout,
                maxResponseBytes: maxResponseBytes, retry: .none),
            logger: Fixture.quiet)
    }

    @Test("a mutation that times out over HTTP after being sent is 'outcome unknown'; a read is 'timed out'")
    func timeoutOverHTTP() async throws {
        // The panel answers only once both calls have ended: the 100 ms timeout always comes first.
        let latency = HeldSleep()
        let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(latency: .milliseconds(500)), latency: latency)
        let kinds = try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (client, http) = try Self.client(port: port, timeout: .milliseconds(100))
            let mutation = await PanelError.kind { try await client.addCredits(.id(1), 1) }
            let read = await PanelError.kind { _ = try await client.list() }
            latency.release()
            try await http.shutdown()
            return [mutation, read]
        }
        #expect(kinds == [.outcomeUnknown, .timeout])
    }

    @Test("a connection dropped by the panel after a mutation is 'outcome unknown' over HTTP")
    func dropOverHTTP() async throws {
        let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(dropRate: 1))
        let kind = try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (client, http) = try Self.client(port: port)
            let kind = await PanelError.kind { try await client.addCredits(.id(1), 1) }
            try await http.shutdown()
            return kind
        }
        #expect(kind == .outcomeUnknown)
    }

    @Test("an answer over the size cap over HTTP is 'response too large'")
    func sizeCapOverHTTP() async throws {
        let emulator = try await Fixture.emulator(seed: 100)
        let kind = try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (client, http) = try Self.client(port: port, maxResponseBytes: 4096)
            let kind = await PanelError.kind { _ = try await client.list() }
            try await http.shutdown()
            return kind
        }
        #expect(kind == .responseTooLarge)
    }
}
