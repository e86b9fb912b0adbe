import Logging
import PanelAPI
import PanelEmulator
import Testing

@Suite("Every error kind")
struct ErrorKindTests {
    @Test("a wrong key is 'not authorised' in each dialect", arguments: ResponseDialect.AuthFailure.allCases)
    func wrongKey(dialect: ResponseDialect.AuthFailure) async throws {
        let emulator = try await Fixture.emulator(dialect: ResponseDialect(authFailure: dialect))
        let client = try Fixture.client(InProcessTransport(emulator: emulator), key: "wrong")
        #expect(await PanelError.kind { _ = try await client.list() } == .notAuthorised)
    }

    @Test("a caller outside the allowed IPs is 'IP not allowed' in each dialect", arguments: ResponseDialect.AuthFailure.allCases)
    func forbiddenIP(dialect: ResponseDialect.AuthFailure) async throws {
        let emulator = try await Fixture.emulator(allowedIPs: ["10.1.2.3"], dialect: ResponseDialect(authFailure: dialect))
        let client = try Fixture.client(InProcessTransport(emulator: emulator))
        #expect(await PanelError.kind { _ = try await client.list() } == .ipNotAllowed)
    }

    @Test("a refusal carries the panel's words and the target")
    func refused() async throws {
        let client = try Fixture.client(InProcessTransport(emulator: try await Fixture.emulator(seed: 3)))
        let error = await #expect(throws: PanelError.self) { try await client.addCredits(.id(42), 5) }
        #expect(error?.description == "resellers.add_credits: panel refused: NOT EXISTS (id 42)")
    }

    @Test("a connection that cannot be made is a transport error saying nothing was sent")
    func transport() async throws {
        let client = try Fixture.client(StubTransport([.failure(.notSent(reason: "could not connect"))]))
        let error = await #expect(throws: PanelError.self) { try await client.addCredits(.id(1), 5) }
        #expect(error?.kind == .transport)
        #expect(error?.description.contains("nothing was sent") == true)
    }

    @Test("a real refused connection over HTTP is a transport error")
    func refusedSocket() async throws {
        // Port 9 (discard) on loopback: nothing listens there in the test environment.
        let (client, http) = PanelClient.http(
            configuration: PanelConfiguration(
                baseURL: try PanelURL("http://127.0.0.1:9/"), apiKey: APIKey(Fixture.key), connectTimeout: .seconds(1),
                retry: .none),
            logger: Fixture.quiet)
        let kind = await PanelError.kind { try await client.addCredits(.id(1), 1) }
        try await http.shutdown()
        #expect(kind == .transport)
    }

    @Test("a slow read is a timeout")
    func timeout() async throws {
        // The panel answers only once the 50 ms timeout has come (and cancelled its latency).
        let latency = HeldSleep(endsOnCancel: true)
        defer { latency.release() }
        let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(latency: .seconds(2)), latency: latency)
        let client = try Fixture.client(InProcessTransport(emulator: emulator), timeout: .milliseconds(50), retry: .none)
        #expect(await PanelError.kind { _ = try await client.list() } == .timeout)
    }

    @Test("a slow mutation is 'outcome unknown', not a timeout")
    func slowMutation() async throws {
        // The panel answers only once the 50 ms timeout has come (and cancelled its latency).
        let latency = HeldSleep(endsOnCancel: true)
        defer { latency.release() }
        let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(latency: .seconds(2)), latency: latency)
        let client = try Fixture.client(InProcessTransport(emulator: emulator), timeout: .milliseconds(50))
        #expect(await PanelError.kind { try await client.addCredits(.id(1), 1) } == .outcomeUnknown)
    }

    @Test("a dropped connection after a mutation is 'outcome unknown', and the change did happen")
    func droppedMutation() async throws {
        let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(dropRate: 1))
        let before = try #require(try await emulator.store.find(.id(1))).credits
        let client = try Fixture.client(InProcessTransport(emulator: emulator))
        #expect(await PanelError.kind { try await client.addCredits(.id(1), 7) } == .outcomeUnknown)
        #expect(try await emulator.store.find(.id(1))?.credits == before + 7)
    }

    @Test("an HTTP 500 to a mutation is 'outcome unknown'; to a read, a transport error")
    func serverError() async throws {
        let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(errorRate: 1))
        let client = try Fixture.client(InProcessTransport(emulator: emulator), retry: .none)
        #expect(await PanelError.kind { try await client.addCredits(.id(1), 1) } == .outcomeUnknown)
        #expect(await PanelError.kind { _ = try await client.list() } == .transport)
    }

    @Test("a body that is not JSON is a malformed response", arguments: ["", "<html>oops</html>", "{\"result\":", "[1,2]"])
    func malformed(body: String) async throws {
        let client = try Fixture.client(StubTransport(body: body))
        #expect(await PanelError.kind { _ = try await client.list() } == .malformedResponse)
    }

    @Test("a row without an id is a malformed response")
    func rowWithoutID() async throws {
        let client = try Fixture.client(StubTransport(body: #"[{"username":"x"}]"#))
        #expect(await PanelError.kind { _ = try await client.list() } == .malformedResponse)
    }

    @Test("an answer over the size cap is 'response too large'")
    func tooLarge() async throws {
        let emulator = try await Fixture.emulator(seed: 50)
        let client = try Fixture.client(InProcessTransport(emulator: emulator), maxResponseBytes: 1000)
        #expect(await PanelError.kind { _ = try await client.list() } == .responseTooLarge)
    }

    @Test("a group or action with path characters is an invalid request, never sent")
    func invalidRequest() async throws {
        let stub = StubTransport(body: #"{"result":true}"#)
        let client = try Fixture.client(stub)
        #expect(await PanelError.kind { try await client.call(group: "../admin", action: "x") } == .invalidRequest)
        #expect(stub.callCount == 0)
    }
}
