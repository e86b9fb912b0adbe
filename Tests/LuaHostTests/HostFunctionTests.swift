import LuaHost
import Testing

struct PanelRefused: LuaRaisable {
    func luaErrorValue() -> LuaValue { ["kind": "refused", "message": "panel refused: NOT EXISTS"] }
}

struct PlainFailure: Error, CustomStringConvertible {
    var description: String { "the panel did not answer" }
}

@Suite("Swift functions called from Lua")
struct HostFunctionTests {
    func addCredits() -> LuaHostFunction {
        LuaHostFunction("add_credits") { args in
            let id = try args.integer(1)
            let credits = try args.number(2)
            return .one(.number(Double(id) + credits))
        }
    }

    @Test("a host function receives arguments and returns a result")
    func basicCall() throws {
        let h = try Harness()
        h.vm.register(addCredits(), as: "add_credits")
        #expect(try h.run("return add_credits(5, 2.5)") == [7.5])
    }

    @Test("a wrong argument type is reported in Lua's words with the caller's line")
    func argumentTypeError() throws {
        let h = try Harness()
        h.vm.register(addCredits(), as: "add_credits")
        let error = h.failure("\nadd_credits(1, 'ten')")
        #expect(error?.message == "test.lua:2: bad argument #2 to 'add_credits' (number expected, got string)")
    }

    @Test("numeric strings are read as numbers, as Lua's own library functions read them")
    func numericStrings() throws {
        let h = try Harness()
        h.vm.register(addCredits(), as: "add_credits")
        #expect(try h.run("return add_credits('5', '2.5')") == [7.5])
        #expect(h.failure("add_credits('5.5', 1)")?.message == "test.lua:1: bad argument #1 to 'add_credits' (number has no integer representation)")
    }

    @Test("a missing argument says 'no value'")
    func missingArgument() throws {
        let h = try Harness()
        h.vm.register(addCredits(), as: "add_credits")
        #expect(h.failure("add_credits(1)")?.message == "test.lua:1: bad argument #2 to 'add_credits' (number expected, got no value)")
    }

    @Test("NaN and infinities are refused cleanly")
    func nonFiniteRefused() throws {
        let h = try Harness()
        h.vm.register(addCredits(), as: "add_credits")
        #expect(h.failure("add_credits(1, 0/0)")?.message.hasSuffix("(finite number expected, got -nan)") == true
            || h.failure("add_credits(1, 0/0)")?.message.hasSuffix("(finite number expected, got nan)") == true)
        #expect(h.failure("add_credits(1, math.huge)")?.message == "test.lua:1: bad argument #2 to 'add_credits' (finite number expected, got inf)")
        #expect(h.failure("add_credits(2^70, 1)")?.message == "test.lua:1: bad argument #1 to 'add_credits' (number has no integer representation)")
        #expect(h.failure("add_credits(1.5, 1)")?.message == "test.lua:1: bad argument #1 to 'add_credits' (number has no integer representation)")
    }

    @Test("a thrown Swift error becomes a catchable Lua error")
    func thrownError() throws {
        let h = try Harness()
        h.vm.register(LuaHostFunction("fetch") { _ in throw PlainFailure() }, as: "fetch")
        // Called by pcall itself, so there is no Lua caller position to prefix.
        #expect(try h.run("local ok, e = pcall(fetch) return ok, e") == [false, "the panel did not answer"])
        #expect(try h.run("local ok, e = pcall(function() fetch() end) return ok, e") == [false, "test.lua:1: the panel did not answer"])
    }

    @Test("a raisable error reaches the script as a table pcall can branch on")
    func raisableError() throws {
        let h = try Harness()
        h.vm.register(LuaHostFunction("fetch") { _ in throw PanelRefused() }, as: "fetch")
        #expect(try h.run("local ok, e = pcall(fetch) return ok, e.kind, e.message") == [false, "refused", "panel refused: NOT EXISTS"])
        let error = h.failure("fetch()")
        #expect(error?.message == "panel refused: NOT EXISTS")
        #expect(error?.value?["kind"] == "refused")
    }

    @Test("many results and modules")
    func modules() throws {
        let h = try Harness()
        try h.vm.register(LuaModule("util", functions: [
            LuaHostFunction("util.pair") { _ in .many([1, "two"]) },
            LuaHostFunction("util.echo") { args in .many(try args.all()) },
        ], constants: ["version": "1.0"]))
        #expect(try h.run("local a, b = util.pair() return a, b, util.version, select('#', util.echo(1, nil, 3))") == [1, "two", "1.0", 3])
    }

    @Test("a host function can call back into Lua, and errors pass through both ways")
    func reentrantCall() throws {
        let h = try Harness()
        h.vm.register(LuaHostFunction("apply") { args in
            guard case .function(let f) = try args.value(1) else { throw args.error(1, "function expected") }
            return .many(try args.vm.call(f, [try args.value(2)]))
        }, as: "apply")
        #expect(try h.run("return apply(function(x) return x * 2 end, 21)") == [42])
        #expect(try h.run("local ok, e = pcall(apply, function() error({code = 7}) end) return ok, e.code") == [false, 7])
    }

    @Test("a host function called from a coroutine works and can be resumed around")
    func fromCoroutine() throws {
        let h = try Harness()
        h.vm.register(addCredits(), as: "add_credits")
        let source = """
            local co = coroutine.wrap(function() local a = add_credits(1, 1) coroutine.yield(a) return add_credits(2, 2) end)
            return co(), co()
            """
        #expect(try h.run(source) == [2.0, 4.0])
    }

    @Test("a limit tripped inside a callback's Lua code ends the whole run")
    func limitInsideCallback() throws {
        let h = try Harness()
        h.vm.register(LuaHostFunction("apply") { args in
            guard case .function(let f) = try args.value(1) else { return .none }
            return .many(try args.vm.call(f))
        }, as: "apply")
        let error = h.failure("pcall(apply, function() while true do end end) return 'swallowed'")
        #expect(error?.kind == .limit(.instructions(5_000_000)))
    }

    @Test("an interrupt that arrives while a host function waits ends the run even if the script catches the function's error")
    func interruptDuringHostCall() throws {
        let h = try Harness()
        h.vm.register(LuaHostFunction("wait_for_panel") { args in
            args.vm.interrupter.interrupt()  // Ctrl-C while the call waits
            throw PlainFailure()
        }, as: "wait_for_panel")
        let error = h.failure("pcall(wait_for_panel) return 'swallowed'")
        #expect(error?.kind == .limit(.interrupted))
    }

    @Test("the memory limit holds while a callback pushes a huge result")
    func memoryWhilePushing() throws {
        let h = try Harness()
        let big = LuaValue.table(LuaTable(array: (0..<200_000).map { .string(LuaString("value number \($0)")) }))
        h.vm.register(LuaHostFunction("big") { _ in .one(big) }, as: "big")
        let error = h.failure("local ok = pcall(big) return 'swallowed'")
        #expect(error?.kind == .limit(.memory(8 << 20)))
    }
}
