import LuaHost
import PanelAPI
import Testing

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

@Suite("the resellers Lua API")
struct ResellersAPITests {
    /// A fresh harness after `source` ran on it under `grant` and succeeded: the panel as the
    /// script left it.
    func panelAfter(_ source: String, grant: Grant, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Harness {
        let h = try await Harness.make()
        try await h.run(source, grant: grant, expecting: .succeeded, sourceLocation: sourceLocation)
        return h
    }

    @Test("resellers.list gives numbers and booleans as Lua types when the panel sends strings, and keeps unknown fields")
    func listTypes() async throws {
        try await Harness.make(numbers: .strings).run("""
            local r = resellers.list()[1]
            assert(math.type(r.id) == "integer", "id " .. math.type(r.id))
            assert(math.type(r.credits) == "integer" and r.credits == 100)
            assert(r.use_credits == true)
            assert(math.type(r.max_allowed_connections) == "integer")
            assert(r.email == "alice@example.com", tostring(r.email))
            assert(resellers.list()[3].use_credits == false)
            """, expecting: .succeeded)
    }

    @Test("add_credits by id and by table with username both reach the panel")
    func addCreditsForms() async throws {
        let h = try await panelAfter(
            "resellers.add_credits(1, 10) resellers.add_credits{username='bob', credits=7}", grant: writeGrant(.resellersAddCredits))
        #expect(try await h.credits("alice") == 110)
        #expect(try await h.credits("bob") == 12)
    }

    @Test("resellers.new returns the new reseller's id")
    func newReturnsID() async throws {
        let h = try await panelAfter(
            "local id = resellers.new{name='dave', credits=20, use_credits=true, max_allowed_connections=3} assert(id == 4, tostring(id))",
            grant: writeGrant(.resellersNew))
        // The id the script was given (asserted in Lua) is the new reseller's in the panel.
        let dave = try await h.emulator.store.find(.id(4))
        #expect(dave?.username == "dave")
        #expect(dave?.credits == 20)
    }

    @Test("update accepts both the two-argument and the table form")
    func updateForms() async throws {
        let h = try await panelAfter(
            "resellers.update('bob', {max_allowed_connections = 9}) resellers.update{id = 1, max_allowed_connections = 7}",
            grant: writeGrant(.resellersUpdate))
        #expect(try await h.emulator.store.find(.username("bob"))?.maxAllowedConnections == 9)
        #expect(try await h.emulator.store.find(.id(1))?.maxAllowedConnections == 7)
    }

    @Test("a panel refusal is an error object with kind, message, endpoint and a readable tostring")
    func errorObject() async throws {
        try await Harness.make().run("""
            local ok, err = pcall(resellers.add_credits, 99, 5)
            assert(not ok)
            assert(err.kind == "panel refused", err.kind)
            assert(err.endpoint == "resellers.add_credits", err.endpoint)
            assert(err.panel_message == "NOT EXISTS", tostring(err.panel_message))
            assert(tostring(err) == err.message and err.message:find("NOT EXISTS", 1, true), tostring(err))
            """, grant: writeGrant(.resellersAddCredits), expecting: .succeeded)
    }

    @Test("fractional, NaN and non-numeric credit amounts are refused before anything is sent")
    func badAmounts() async throws {
        let h = try await Harness.make()
        try await h.run("""
            local function msg(f, ...) local ok, e = pcall(f, ...) assert(not ok) return e end
            assert(msg(resellers.add_credits, 1, 2.5):find("whole number, got 2.5", 1, true))
            assert(msg(resellers.add_credits, 1, 0/0):find("finite whole number", 1, true))
            assert(msg(resellers.add_credits, 1, "10"):find("must be a number, got string", 1, true))
            assert(msg(resellers.new, {name = "x", credits = -5}):find("must not be negative", 1, true))
            assert(msg(resellers.update, 1, {credits = 1.5}):find("whole number", 1, true))
            assert(msg(resellers.add_credits, 1, 2.5):find("^test.lua:3:") == nil)
            """, grant: writeGrant(.resellersAddCredits, .resellersNew, .resellersUpdate), expecting: .succeeded)
        #expect(h.transport.writesSent.isEmpty)
    }

    @Test("argument errors point at the script's line")
    func argumentErrorPosition() async throws {
        let result = try await Harness.make().run(
            "\n\nresellers.add_credits(1, 2.5)", grant: writeGrant(.resellersAddCredits), expecting: .failed)
        #expect(result.error?.hasPrefix("test.lua:3: bad argument #2 to 'resellers.add_credits'") == true, "\(result.error ?? "")")
    }

    @Test("json.encode and json.decode round-trip, with json.null")
    func jsonRoundTrip() async throws {
        try await Harness.make().run("""
            local v = json.decode('{"a":[1,2,null],"b":null,"c":"x"}')
            assert(v.b == json.null and v.a[3] == json.null and v.a[2] == 2 and v.c == "x")
            assert(json.encode({1, 2, json.null}) == "[1,2,null]", json.encode({1, 2, json.null}))
            assert(json.encode({b = 1, a = true}) == '{"a":true,"b":1}')
            """, expecting: .succeeded)
    }

    @Test("panel.call refuses the resellers group so credit caps cannot be bypassed")
    func panelCallResellers() async throws {
        let h = try await Harness.make()
        let result = try await h.run(
            "panel.call('resellers', 'add_credits', {id = 1, credits = 1000})", grant: writeGrant(.panelCall), expecting: .failed)
        #expect(result.error?.contains("use resellers.* for the resellers group") == true)
        #expect(h.transport.writesSent.isEmpty)
    }

    @Test("args holds the command-line arguments as strings")
    func arguments() async throws {
        try await Harness.make().run(
            "assert(args.threshold == '500' and args.name == 'a=b')", arguments: [("threshold", "500"), ("name", "a=b")],
            expecting: .succeeded)
    }
}
