import Foundation
import PanelAPI
import PanelEmulator
import Testing

@Suite("The vendor's four PHP examples run unchanged against the emulator")
struct VendorExampleTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Runs a vendor example with only its URL and key values replaced; returns `$api_result` as JSON.
    static func run(_ name: String, port: Int) throws -> JSONValue {
        let source = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
            .replacingOccurrences(of: "'http://your-domain:8000/'", with: "'http://127.0.0.1:\(port)/'")
            .replacingOccurrences(of: "'your_api_key'", with: PHPLiteral.string(Fixture.key))
        let printer = fixtures.appendingPathComponent("print-result.php").path
        return try JSONParser.parse(Array(try PHP.run(source, arguments: ["-d", "auto_append_file=\(printer)"])))
    }

    @Test("new, update, add_credits and list each succeed and change the panel as documented")
    func vendorExamples() async throws {
        let emulator = try await Fixture.emulator(seed: 6)
        try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let created = try Self.run("vendor-new.php", port: port)
            #expect(created["result"] == .bool(true))
            let id = try #require(created["created_id"]?.looseInt)
            let made = try #require(try await emulator.store.find(.id(id)))
            #expect(made.username == "test_reseller" && made.credits == 50 && made.maxAllowedConnections == 100 && made.useCredits)

            #expect(try Self.run("vendor-update.php", port: port)["result"] == .bool(true))
            #expect(try await emulator.store.find(.id(5))?.credits == 100)

            #expect(try Self.run("vendor-add-credits.php", port: port)["result"] == .bool(true))
            #expect(try await emulator.store.find(.id(5))?.credits == 125)

            guard case .array(let rows) = try Self.run("vendor-list.php", port: port) else {
                Issue.record("list did not return an array")
                return
            }
            #expect(rows.count == 7)
        }
    }
}
