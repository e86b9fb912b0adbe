import PanelAPI
import Testing

@Suite("Every response shape in wire-format.md decodes")
struct ResponseShapeTests {
    static let row1 = #"{"id":"1","username":"alpha1","credits":"50","max_allowed_connections":"10","use_credits":"1","status":"1","email":"a@x.example"}"#
    static let row2 = #"{"id":2,"username":"beta2","credits":75,"max_allowed_connections":5,"use_credits":false,"status":0,"notes":"VIP"}"#

    @Test("success is {\"result\":true}")
    func plainSuccess() async throws {
        let client = try Fixture.client(StubTransport(body: #"{"result":true}"#))
        let reply = try await client.addCredits(.id(1), 5)
        #expect(reply.body == .object(["result": true]))
    }

    @Test("result may be a bool, a string or a number", arguments: [#""true""#, "1", #""1""#, "true"])
    func resultSpellings(result: String) async throws {
        let client = try Fixture.client(StubTransport(body: #"{"result":\#(result)}"#))
        try await client.update(.username("alpha1"), fields: ["credits": 5])
    }

    @Test("a failure given as a string result is a refusal", arguments: [#""false""#, "0", #""0""#, "false"])
    func failureSpellings(result: String) async throws {
        let client = try Fixture.client(StubTransport(body: #"{"result":\#(result),"error":"NOT EXISTS"}"#))
        let error = await #expect(throws: PanelError.self) { try await client.addCredits(.id(42), 5) }
        #expect(error?.kind == .refused)
        #expect(error?.panelMessage == "NOT EXISTS")
    }

    @Test("created_id is read whether a number or a string", arguments: [#"7"#, #""7""#])
    func createdID(id: String) async throws {
        let client = try Fixture.client(StubTransport(body: #"{"result":true,"created_id":\#(id)}"#))
        let reply = try await client.new(NewReseller(name: "x"))
        #expect(reply.createdID == 7)
    }

    @Test("a bare list decodes, string numbers typed")
    func bareList() async throws {
        let client = try Fixture.client(StubTransport(body: "[\(Self.row1),\(Self.row2)]"))
        let resellers = try await client.list()
        #expect(resellers.map(\.id) == [1, 2])
        #expect(resellers[0].credits == 50 && resellers[0].maxAllowedConnections == 10)
        #expect(resellers[0].useCredits == true && resellers[1].useCredits == false)
        #expect(resellers.map(\.status) == [1, 0])
    }

    @Test("a list wrapped as {\"result\":true,\"data\":[...]} decodes")
    func wrappedList() async throws {
        let client = try Fixture.client(StubTransport(body: #"{"result":true,"data":[\#(Self.row1),\#(Self.row2)]}"#))
        #expect(try await client.list().map(\.username) == ["alpha1", "beta2"])
    }

    @Test("a list keyed by id, as json_encode writes a sparse PHP array, decodes")
    func keyedList() async throws {
        let client = try Fixture.client(StubTransport(body: #"{"1":\#(Self.row1),"2":\#(Self.row2)}"#))
        #expect(try await client.list().map(\.id) == [1, 2])
    }

    @Test("an empty list decodes in each shape", arguments: ["[]", "{}", #"{"result":true,"data":[]}"#, #"{"result":true}"#])
    func emptyList(body: String) async throws {
        let client = try Fixture.client(StubTransport(body: body))
        #expect(try await client.list().isEmpty)
    }

    @Test("unknown row fields are kept, in order")
    func unknownFieldsKept() async throws {
        let client = try Fixture.client(StubTransport(body: "[\(Self.row1),\(Self.row2)]"))
        let resellers = try await client.list()
        #expect(resellers[0].unknownFields == ["email": "a@x.example"])
        #expect(resellers[1].unknownFields == ["notes": "VIP"])
        #expect(resellers[0].fields.keys.first == "id")
    }

    @Test("a panel that says name instead of username is understood")
    func nameField() async throws {
        let client = try Fixture.client(StubTransport(body: #"[{"id":"3","name":"gamma","credits":"1.0E+3"}]"#))
        let reseller = try #require(try await client.list().first)
        #expect(reseller.username == "gamma")
        #expect(reseller.credits == 1000)
    }

    @Test("JSON after PHP notices in the body is found")
    func noticeBeforeJSON() async throws {
        let body = "<br />\n<b>Notice</b>:  Undefined index: x in <b>/var/www/api.php</b> on line <b>12</b><br />\n{\"result\":true}"
        let client = try Fixture.client(StubTransport(body: body))
        try await client.addCredits(.id(1), 1)
    }

    @Test("escapes json_encode writes (\\/ and \\u) decode")
    func phpEscapes() async throws {
        let client = try Fixture.client(StubTransport(body: #"[{"id":"1","username":"caf\u00e9\/tv \ud83d\ude00"}]"#))
        #expect(try await client.list().first?.username == "café/tv 😀")
    }

    @Test("a rejection under message, msg or \"0\" keeps the panel's words", arguments: ["message", "msg", "0", "error"])
    func rejectionKeys(key: String) async throws {
        let client = try Fixture.client(StubTransport(body: #"{"result":false,"\#(key)":"NOT ENOUGH CREDITS"}"#))
        let error = await #expect(throws: PanelError.self) { try await client.addCredits(.id(9), -5) }
        #expect(error?.kind == .refused)
        #expect(error?.description == "resellers.add_credits: panel refused: NOT ENOUGH CREDITS (id 9)")
    }

    @Test("the panel's words decide the kind", arguments: [
        ("KEY WRONG", PanelError.Kind.notAuthorised), ("INVALID API KEY", .notAuthorised), ("Unauthorized", .notAuthorised),
        ("IP FORBIDDEN", .ipNotAllowed), ("Your IP is not allowed", .ipNotAllowed), ("NOT EXISTS", .refused),
        ("Duplicate entry 'bob' for key 'username'", .refused), ("PARAMETER ERROR (ip)", .refused),
    ])
    func wordsDecideKind(message: String, kind: PanelError.Kind) async throws {
        let client = try Fixture.client(StubTransport(body: #"{"result":false,"error":"\#(message)"}"#))
        #expect(await PanelError.kind { try await client.addCredits(.id(1), 1) } == kind)
    }
}
