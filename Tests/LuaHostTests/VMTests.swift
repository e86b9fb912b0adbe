import Foundation
import LuaHost
import Testing

@Suite("The VM: loading, calling, errors")
struct VMTests {
    @Test("a chunk returns its values in order")
    func returnsValues() throws {
        let h = try Harness()
        #expect(try h.run("return 1, 2.5, 'three', true, nil") == [.integer(1), .number(2.5), "three", true, .nil])
    }

    @Test("chunk arguments arrive as ...")
    func chunkArguments() throws {
        let h = try Harness()
        #expect(try h.run("local a, b = ... return b, a", [1, "x"]) == ["x", 1])
    }

    @Test("a syntax error names the chunk and the line")
    func syntaxError() throws {
        try Harness().expectFailure("local x = 1\nlocal y = = 2", .syntax, "test.lua:2: unexpected symbol near '='")
    }

    @Test("a runtime error carries its position and a traceback")
    func runtimeError() throws {
        let error = try Harness().expectFailure("local function f()\n  error('broken')\nend\nf()", .runtime, "test.lua:2: broken")
        #expect(error?.traceback?.contains("in local 'f'") == true)
        #expect(error?.traceback?.contains("test.lua:4:") == true)
    }

    @Test("Lua functions can be called from Swift with arguments")
    func callFunction() throws {
        let h = try Harness()
        guard case .function(let add)? = try h.run("return function(a, b) return a + b, a * b end").first else {
            Issue.record("expected a function")
            return
        }
        #expect(try h.vm.call(add, [6, 7]) == [13, 42])
    }

    @Test("a function from another VM is refused")
    func foreignFunction() throws {
        let one = try Harness()
        let two = try Harness()
        guard case .function(let f)? = try one.run("return function() end").first else { return }
        #expect(throws: LuaError.self) { try two.vm.call(f) }
    }

    @Test("print goes to the host sink, tab-separated, with tostring semantics")
    func printRouted() throws {
        let h = try Harness()
        _ = try h.run("print(1, 2.0, 'x', nil, true) print()")
        #expect(h.lines == ["1\t2.0\tx\tnil\ttrue\n", "\n"])
    }

    @Test("globals set from Swift are visible to scripts and back")
    func globals() throws {
        let h = try Harness()
        try h.vm.setGlobal("answer", 42)
        _ = try h.run("doubled = answer * 2")
        #expect(try h.vm.global("doubled") == 84)
    }

    @Test("nothing leaks between two VMs")
    func isolation() throws {
        let first = try Harness()
        _ = try first.run("string.rep = nil leaked = true")
        let second = try Harness()
        #expect(try second.run("return leaked, type(string.rep)") == [.nil, "function"])
    }

    @Test("an interrupt from another thread stops a running loop")
    func interruptFromThread() throws {
        let h = try Harness(limits: LuaLimits(instructions: nil, memory: 8 << 20, time: .seconds(20)))
        let interrupter = h.vm.interrupter
        // A plain thread, not a task: the test's own thread is busy running the loop, and
        // Swift's cooperative pool may have no other thread free.
        let started = DispatchSemaphore(value: 0)
        let other = Thread {
            started.wait()
            interrupter.interrupt()
        }
        other.start()
        h.vm.register(LuaHostFunction("started") { _ in started.signal(); return .none }, as: "started")
        let error = h.failure("started() while true do end")
        #expect(error?.kind == .limit(.interrupted))
        // The next call starts clean.
        #expect(try h.run("return 'again'") == ["again"])
    }

    @Test("the time limit ends a loop that has no instruction limit")
    func timeLimit() throws {
        let h = try Harness(limits: LuaLimits(instructions: nil, memory: 8 << 20, time: .milliseconds(100)))
        h.expectFailure("while true do end", .limit(.time(.milliseconds(100))), "time limit of 100 ms exceeded")
    }

    @Test("limits reset per top-level call")
    func budgetPerCall() throws {
        let h = try Harness(limits: LuaLimits(instructions: 200_000, memory: 8 << 20, time: .seconds(10)))
        for _ in 0..<5 {
            #expect(try h.run("local n = 0 for i = 1, 20000 do n = n + i end return n") == [200_010_000])
        }
    }
}
