import Logging
import PanelAPI
import PanelEmulator
import Testing

@Suite("The API key never leaks")
struct RedactionTests {
    static let key = "Xk9-unmistakable-SECRET.42"

    /// Every form the key could take on the wire or in text.
    static var forms: [String] { [key, PHPURLEncoding.encode(key), PHPURLEncoding.rawEncode(key)] }

    static func leaks(_ text: String) -> Bool { forms.contains { text.contains($0) } }

    @Test("no error description, log line or recorded request contains the key, for every error kind", arguments: KeyPlacement.allCases)
    func nothingLeaks(placement: KeyPlacement) async throws {
        let capture = LogCapture()
        var texts: [String] = []
        // Panels that echo the key back in their error must not get it through either.
        let echo = StubTransport(body: #"{"result":false,"error":"KEY WRONG: \#(Self.key)"}"#)
        let html = StubTransport(body: "<h1>Forbidden for \(Self.key)</h1>", status: 403)
        let lost = StubTransport([.failure(.connectionLost(reason: "reset"))])
        // The slow panel answers only once a call's 100 ms timeout has come (and cancelled its
        // latency).
        let latency = HeldSleep(endsOnCancel: true)
        defer { latency.release() }
        let slow = try await Fixture.emulator(seed: 2, key: Self.key, faults: FaultPlan(latency: .seconds(2)), latency: latency)
        let good = try await Fixture.emulator(seed: 2, key: Self.key)
        let ipBlocked = try await Fixture.emulator(seed: 2, key: Self.key, allowedIPs: ["10.0.0.1"])
        let transports: [any PanelTransport] = [
            echo, html, lost, InProcessTransport(emulator: slow), InProcessTransport(emulator: good),
            InProcessTransport(emulator: ipBlocked), StubTransport(body: "not json \(Self.key)"),
        ]
        var kinds = Set<PanelError.Kind>()
        for transport in transports {
            let client = try Fixture.client(
                transport, placement: placement, key: Self.key, timeout: .milliseconds(100), logger: capture.logger)
            let calls: [@Sendable () async throws -> Void] = [
                { _ = try await client.list() },
                { try await client.addCredits(.id(999), 5) },
                { try await client.update(.username("nobody"), fields: ["credits": 1]) },
                { try await client.new(NewReseller(name: "n")) },
                { try await client.call(group: "resellers", action: "add_credits", params: ["api_key": .string(Self.key), "id": 1]) },
            ]
            for call in calls {
                do { try await call() } catch let error as PanelError {
                    kinds.insert(error.kind)
                    texts += [error.description, String(describing: error), String(reflecting: error)]
                }
            }
            texts += [String(describing: client.configuration), String(reflecting: client.configuration)]
        }
        for request in [
            PanelRequest.resellersList(), .resellersAddCredits(.id(1), 2),
            try PanelRequest(group: "g", action: "a", params: ["api_key": .string(Self.key), "x": ["api_key": .string(Self.key)]], kind: .read),
        ] {
            texts.append(request.redactedDescription)
            let client = try Fixture.client(echo, placement: placement, key: Self.key)
            texts.append(client.makeTransportRequest(request).redactedURL)
        }
        #expect(kinds.isSuperset(of: [.notAuthorised, .ipNotAllowed, .refused, .timeout, .outcomeUnknown, .malformedResponse, .transport]))
        for text in texts { #expect(!Self.leaks(text), "\(text)") }
        #expect(!capture.text.isEmpty)
        #expect(!Self.leaks(capture.text))
    }

    @Test("the key is on the wire where configured, and only there", arguments: KeyPlacement.allCases)
    func keyOnTheWire(placement: KeyPlacement) throws {
        let client = try Fixture.client(StubTransport(body: "[]"), placement: placement, key: Self.key)
        let wire = client.makeTransportRequest(.resellersAddCredits(.id(5), 25))
        let body = String(decoding: wire.body, as: UTF8.self)
        switch placement {
        case .postField:
            #expect(body == "api_key=\(PHPURLEncoding.encode(Self.key))&id=5&credits=25")
            #expect(wire.url == "http://panel.example:8000/api/resellers/add_credits")
        case .pathSegment:
            #expect(body == "id=5&credits=25")
            #expect(wire.url == "http://panel.example:8000/api/resellers/add_credits/\(PHPURLEncoding.rawEncode(Self.key))")
        }
        #expect(!Self.leaks(wire.redactedURL))
        var dumped = ""
        dump(wire, to: &dumped)
        for text in [String(describing: wire), String(reflecting: wire), dumped] { #expect(!Self.leaks(text), "\(text)") }
    }

    @Test("an APIKey prints as <redacted> however it is printed")
    func apiKeyPrints() {
        let key = APIKey(Self.key)
        var dumped = ""
        dump(key, to: &dumped)
        #expect("\(key)" == "<redacted>" && String(reflecting: key) == "<redacted>")
        #expect(!Self.leaks(dumped))
    }
}
