import LuaHost
import REPL
import Testing

@Suite("Reading statements the way lua.c does")
struct StatementReaderTests {
    /// Whether `source` compiles in the return (expression) form; nil when it is no chunk.
    func compilesAsExpression(_ source: String) throws -> Bool? {
        guard case .chunk(_, _, let isExpression) = StatementReader().compile(source, in: try LuaVM()) else { return nil }
        return isExpression
    }

    @Test("an expression compiles in the return form")
    func expression() throws {
        #expect(try compilesAsExpression("1 + 1") == true)
    }

    @Test("a statement compiles as itself")
    func statement() throws {
        #expect(try compilesAsExpression("x = 1") == false)
    }

    @Test("an unfinished function definition asks for more lines")
    func incomplete() throws {
        let vm = try LuaVM()
        guard case .incomplete = StatementReader().compile("function f(x)\n  return x", in: vm) else {
            Issue.record("expected incomplete")
            return
        }
        guard case .chunk = StatementReader().compile("function f(x)\n  return x\nend", in: vm) else {
            Issue.record("expected a chunk once 'end' arrives")
            return
        }
    }

    @Test("a real syntax error is reported with its line")
    func syntaxError() throws {
        let vm = try LuaVM()
        guard case .syntaxError(let message) = StatementReader().compile("x = = 1", in: vm) else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(message == "stdin:1: unexpected symbol near '='")
    }
}

@Suite("Pretty-printing results")
struct ValuePrinterTests {
    func show(_ source: String, width: Int = 80) throws -> String {
        let vm = try LuaVM()
        let chunk = try vm.load(source, chunkName: "t")
        return ValuePrinter(colour: false, lineWidth: width).render(try vm.callForDisplay(chunk))
    }

    @Test("scalars print as Lua source")
    func scalars() throws {
        #expect(try show("return 1, 2.0, 'a\\nb', nil, true") == "1\t2.0\t\"a\\nb\"\tnil\ttrue")
    }

    @Test("short arrays print inline, records with sorted keys")
    func inline() throws {
        #expect(try show("return {3, 1, 2}") == "{3, 1, 2}")
        #expect(try show("return {zeta = 1, alpha = 2, [10] = 'x', ['two words'] = true}")
            == "{ [10] = \"x\", alpha = 2, [\"two words\"] = true, zeta = 1 }")
    }

    @Test("long tables break over indented lines")
    func nested() throws {
        let text = try show("return {name = 'reseller_one', credits = 50, tags = {'gold', 'eu'}, limits = {max = 100, used = 42}}", width: 40)
        #expect(text == """
            {
              credits = 50,
              limits = { max = 100, used = 42 },
              name = "reseller_one",
              tags = {"gold", "eu"},
            }
            """)
    }

    @Test("cycles are marked instead of followed")
    func cycles() throws {
        let text = try show("local t = {} t.me = t return t")
        #expect(text.hasPrefix("{ me = <cycle: table: 0x"))
    }

    @Test("depth and width are bounded")
    func bounds() throws {
        #expect(try show("return {{{{{{1}}}}}}").contains("{...}"))
        #expect(try show("local t = {} for i = 1, 60 do t['k' .. i] = i end return t").contains("... (10 more)"))
    }

    @Test("colour codes appear only when asked for")
    func colour() throws {
        let vm = try LuaVM()
        let chunk = try vm.load("return 42", chunkName: "t")
        #expect(ValuePrinter(colour: true).render(try vm.callForDisplay(chunk)) == "\u{1B}[36m42\u{1B}[0m")
    }
}

@Suite("Tab completion")
struct CompleterTests {
    @Test("globals and keywords complete from a prefix")
    func globals() throws {
        let vm = try LuaVM()
        #expect(Completer().completions(for: "x = tos", in: vm) == ["tostring"])
        #expect(Completer().completions(for: "whi", in: vm) == ["while"])
    }

    @Test("fields of a module complete after the dot")
    func fields() throws {
        let vm = try LuaVM()
        #expect(Completer().completions(for: "string.up", in: vm) == ["string.upper"])
        _ = try vm.run("r = {username = 'ann', credits = 5}")
        #expect(Completer().completions(for: "print(r.", in: vm) == ["r.credits", "r.username"])
    }

    @Test("completion never runs a script's metamethods")
    func noMetamethods() throws {
        let vm = try LuaVM(limits: LuaLimits(instructions: 1000, memory: 8 << 20, time: .seconds(1)))
        _ = try vm.run("trap = setmetatable({}, {__index = function() while true do end end})")
        #expect(Completer().completions(for: "trap.x", in: vm) == [])
    }
}
