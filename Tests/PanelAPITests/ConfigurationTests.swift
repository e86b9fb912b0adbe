import PanelAPI
import Testing

@Suite("Panel base URLs")
struct ConfigurationTests {
    @Test("a base URL keeps scheme, host, port and path prefix", arguments: [
        ("http://panel.example:8000/", "http://panel.example:8000/"),
        ("http://panel.example", "http://panel.example:8000/"),
        ("https://panel.example", "https://panel.example:8001/"),
        ("HTTPS://panel.example:9443/panel", "https://panel.example:9443/panel/"),
        ("http://[::1]:8080/x/y/", "http://[::1]:8080/x/y/"),
        (" http://10.0.0.5:8000/?q=1 ", "http://10.0.0.5:8000/"),
    ])
    func parses(input: String, expected: String) throws {
        #expect(try PanelURL(input).description == expected)
    }

    @Test("a base URL that is not http(s) with a host is refused", arguments: [
        "ftp://panel.example/", "panel.example:8000", "http://", "http://h:0/", "http://h:99999/", "http://user:pw@h/",
    ])
    func refuses(input: String) {
        #expect(throws: PanelURL.Invalid.self) { try PanelURL(input) }
    }

    @Test("calls go to PREFIX/api/GROUP/ACTION under the base URL")
    func callURL() throws {
        let client = try Fixture.client(StubTransport(body: "[]"), base: "https://example.com/panel")
        #expect(client.makeTransportRequest(.resellersList()).url == "https://example.com:8001/panel/api/resellers/list")
    }
}

@Suite("The JSON parser keeps what the panel sent")
struct JSONParserTests {
    @Test("integers and floats stay apart, member order is kept, a repeated key keeps its last value")
    func fidelity() throws {
        let value = try JSONParser.parse(#"{"b":1,"a":1.0,"c":1e2,"b":3,"big":123456789012345678901}"#)
        guard case .object(let object) = value else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == ["b", "a", "c", "big"])
        #expect(object["b"] == .int(3) && object["a"] == .double(1) && object["c"] == .double(100))
        #expect(object["big"] == .double(Double("123456789012345678901")!))
    }

    @Test("a repeated key in a large object also keeps its first position and last value")
    func largeObjectDuplicates() throws {
        let members = (0..<20).map { "\"k\($0)\":\($0)" } + ["\"k3\":99", "\"k19\":98"]
        let value = try JSONParser.parse("{" + members.joined(separator: ",") + "}")
        guard case .object(let object) = value else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == (0..<20).map { "k\($0)" })
        #expect(object["k3"] == .int(99) && object["k19"] == .int(98))
    }

    @Test("invalid documents are refused", arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "\"\\ud800\"", "tru", "1 2", "\"a\u{01}\""])
    func invalid(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test("nesting deeper than the limit fails instead of crashing")
    func deepNesting() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test("what JSONWriter writes, JSONParser reads back")
    func roundTrip() throws {
        let value: JSONValue = .object([
            "s": .string("caf\u{e9} / \"q\" \\ \n 😀"), "i": .int(-5), "d": .double(0.25), "n": .null, "b": .bool(false),
            "a": .array([.int(1), .object([:])]),
        ])
        #expect(try JSONParser.parse(JSONWriter.write(value)) == value)
    }
}
