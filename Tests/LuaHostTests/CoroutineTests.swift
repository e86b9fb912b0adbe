import LuaHost
import Testing

/// A tiny host-side scheduler for the tests: `spawn(fn, ...)` makes a host-driven coroutine,
/// `pause()` yields it to the host (or says "in place" where it cannot yield), and
/// `drive()` resumes every coroutine with a counter until all have finished.
final class Driver {
    var coroutines: [LuaCoroutine] = []
    var outcomes: [LuaResumeOutcome] = []
    var pausedInPlace = 0

    func install(in vm: LuaVM) {
        vm.register(
            LuaHostFunction("spawn") { [self] args in
                coroutines.append(try args.makeCoroutine(functionAt: 1))
                return .one(.integer(Int64(coroutines.count)))
            }, as: "spawn")
        vm.register(
            LuaHostFunction("pause") { [self] args in
                let ours = coroutines.contains { $0.thread == args.thread }
                guard ours, args.canYield else {
                    pausedInPlace += 1
                    return .one("in place")
                }
                return .yield
            }, as: "pause")
        vm.register(
            LuaHostFunction("drive") { [self] args in
                var pending = Array(coroutines.indices)
                var round: Int64 = 0
                while !pending.isEmpty {
                    round += 1
                    pending = pending.filter { index in
                        if args.vm.isStopping { return false }
                        let outcome = args.vm.resume(coroutines[index], with: [.integer(round)])
                        if case .yielded = outcome { return true }
                        outcomes.append(outcome)
                        args.vm.release(coroutines[index])
                        return false
                    }
                }
                return args.vm.isStopping ? .stop : .none
            }, as: "drive")
    }

    /// The first coroutine's error, if it ended with one.
    var firstError: LuaError? {
        guard case .failed(let error)? = outcomes.first else { return nil }
        return error
    }
}

@Suite("coroutines the host drives")
struct CoroutineTests {
    func harness(limits: LuaLimits = testLimits) throws -> (Harness, Driver) {
        let h = try Harness(limits: limits)
        let driver = Driver()
        driver.install(in: h.vm)
        return (h, driver)
    }

    /// Runs `source` in a fresh VM with the driver installed: its results, and the driver.
    func drive(_ source: String) throws -> ([LuaValue], Driver) {
        let (h, driver) = try harness()
        return (try h.run(source), driver)
    }

    @Test("a host function yields the coroutine, and the values it is resumed with become its results")
    func yieldAndResume() throws {
        let (results, driver) = try drive(
            """
            local seen = {}
            -- The first resume starts a coroutine; its first pause() returns the second round.
            spawn(function(name) for i = 1, 3 do local round = pause() seen[#seen + 1] = name .. round end return name end, "a")
            spawn(function(name) for i = 1, 2 do local round = pause() seen[#seen + 1] = name .. round end return name end, "b")
            drive()
            return table.concat(seen, " ")
            """)
        #expect(results == ["a2 b2 a3 b3 a4"])
        #expect(driver.outcomes.count == 2)
        guard case .finished(let values) = driver.outcomes.first else {
            Issue.record("the first coroutine did not finish: \(driver.outcomes)")
            return
        }
        #expect(values == ["b"])
    }

    @Test("yields pass through pcall, the sandbox's xpcall and Lua functions")
    func yieldThroughProtectedCalls() throws {
        let (results, driver) = try drive(
            """
            local out = {}
            spawn(function()
              local ok, v = pcall(function() return pause() end)
              out[#out + 1] = tostring(ok) .. v
              local ok2, v2 = xpcall(pause, function(e) return e end)
              out[#out + 1] = tostring(ok2) .. v2
            end)
            drive()
            return table.concat(out, ",")
            """)
        #expect(results == ["true2,true3"])
        #expect(driver.pausedInPlace == 0)
    }

    @Test("where a C call stands between (a table.sort comparator, gsub), the coroutine cannot yield")
    func notYieldable() throws {
        let (results, driver) = try drive(
            """
            local out = {}
            spawn(function()
              local t = {3, 1, 2}
              table.sort(t, function(a, b) out.sort = pause() return a < b end)
              out.gsub = select(1, ("x"):gsub("x", function() return pause() end))
              out.direct = pause()
            end)
            drive()
            return out.sort, out.gsub, out.direct
            """)
        #expect(results == ["in place", "in place", 2])
        #expect(driver.pausedInPlace > 1)
    }

    @Test("a script's coroutine.resume of a coroutine waiting for the host has no effect: it keeps waiting")
    func resumeFromScriptLeavesItWaiting() throws {
        let (results, _) = try drive(
            """
            local waiting, got, poked
            spawn(function()
              pause()  -- by the next round the other one waits in pause()
              poked = {coroutine.resume(waiting, "forged")}
            end)
            spawn(function() waiting = coroutine.running() got = pause() end)
            drive()
            return got, poked[1], poked[2], coroutine.status(waiting)
            """)
        // The forged resume returned true with no values; the host's resume gave round 2.
        #expect(results == [.integer(2), .boolean(true), .nil, .string("dead")])
    }

    @Test("a limit tripped inside a host-driven coroutine ends the whole call, and pcall cannot catch it")
    func limitInCoroutine() throws {
        let (h, driver) = try harness(limits: LuaLimits(instructions: 200_000, memory: 8 << 20, time: .seconds(10)))
        let error = h.failure(
            """
            spawn(function() pcall(function() while true do end end) while true do end end)
            pcall(drive)
            return "survived"
            """)
        #expect(error?.kind == .limit(.instructions(200_000)))
        let inner = try #require(driver.firstError, "the coroutine did not fail: \(driver.outcomes)")
        #expect(inner.kind == .limit(.instructions(200_000)))
    }

    @Test("a coroutine's error comes back with its message and a traceback")
    func coroutineError() throws {
        let (_, driver) = try drive("spawn(function() pause() error('boom') end) drive()")
        let error = try #require(driver.firstError, "the coroutine did not fail: \(driver.outcomes)")
        #expect(error.kind == .runtime)
        #expect(error.message == "test.lua:1: boom")
        #expect(error.traceback?.contains("stack traceback") == true)
    }

    @Test("a host limit (trip) ends the call with its own message, whatever pcall does")
    func hostTrip() throws {
        let h = try Harness()
        h.vm.register(
            LuaHostFunction("too_many") { args in
                args.vm.trip(.tasks(3))
                return .stop
            }, as: "too_many")
        let error = h.failure("for i = 1, 10 do pcall(too_many) end return 'caught'")
        #expect(error?.kind == .limit(.tasks(3)))
        #expect(error?.message == "task limit of 3 live tasks reached")
        // The next call starts clean.
        #expect(try h.run("return 1") == [1])
    }

    @Test("a host function returning stop after an interrupt raises the interrupt")
    func stopAfterInterrupt() throws {
        let h = try Harness()
        h.vm.register(
            LuaHostFunction("wait_for_panel") { args in
                args.vm.interrupter.interrupt()
                return args.vm.isStopping ? .stop : .none
            }, as: "wait_for_panel")
        let error = h.failure("pcall(wait_for_panel) return 'caught'")
        #expect(error?.kind == .limit(.interrupted))
    }

    @Test("a coroutine resumed raising an error raises it in the host function it waits in, at the caller's line")
    func resumeRaising() throws {
        let h = try Harness()
        final class State {
            var waiting: LuaCoroutine?
            var outcomes: [LuaResumeOutcome] = []
        }
        let state = State()
        h.vm.register(LuaHostFunction("spawn") { [state] args in
            state.waiting = try args.makeCoroutine(functionAt: 1)
            _ = args.vm.resume(state.waiting!)
            return .none
        }, as: "spawn")
        h.vm.register(LuaHostFunction("fetch") { _ in .yield }, as: "fetch")
        h.vm.register(LuaHostFunction("fail_text") { [state] args in
            state.outcomes.append(
                args.vm.resume(state.waiting!, raising: LuaArgumentError(position: 1, function: "fetch", problem: "no good")))
            return .none
        }, as: "fail_text")
        h.vm.register(LuaHostFunction("fail_object") { [state] args in
            state.outcomes.append(args.vm.resume(state.waiting!, raising: PanelRefused()))
            return .none
        }, as: "fail_object")
        let results = try h.run(
            """
            local seen = {}
            spawn(function()
              local ok, e = pcall(function() local r = fetch() return r end)
              seen.text = e
              local ok2, e2 = pcall(fetch)
              seen.kind, seen.tostring = e2.kind, tostring(e2)
              fetch()
            end)
            fail_text()
            fail_object()
            return seen.text, seen.kind, seen.tostring
            """)
        #expect(results == ["test.lua:3: bad argument #1 to 'fetch' (no good)", "refused", "panel refused: NOT EXISTS"])
        #expect(state.outcomes.count == 2)
        guard case .yielded = state.outcomes[1] else {
            Issue.record("the coroutine did not wait again: \(state.outcomes)")
            return
        }
    }

    @Test("an error a host function raises through a wrapper in the host's own chunk names the script's line")
    func hostChunkSkipped() throws {
        let h = try Harness()
        h.vm.hostChunk = "prelude"
        h.vm.register(LuaHostFunction("check") { args in throw args.error(1, "not allowed") }, as: "check")
        // Not a tail call: the wrapper's frame stays on the stack.
        _ = try h.vm.run("function wrapped(x) local r = check(x) return r end", chunkName: "prelude")
        let direct = h.failure("\n check(1)")
        #expect(direct?.message == "test.lua:2: bad argument #1 to 'check' (not allowed)")
        let through = h.failure("\n\n wrapped(1)")
        #expect(through?.message == "test.lua:3: bad argument #1 to 'check' (not allowed)")
        h.vm.hostChunk = nil
        #expect(h.failure("wrapped(1)")?.message == "prelude:1: bad argument #1 to 'check' (not allowed)")
    }
}
