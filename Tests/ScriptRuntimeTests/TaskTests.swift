import Foundation
import Synchronization
import LuaHost
import PanelAPI
import PanelEmulator
import Testing

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

/// Held `ms` milliseconds: a panel that takes that long to answer each request.
func held(_ ms: Int) -> RecordingTransport.Delay { { _, _ in .milliseconds(ms) } }

/// The numbers of `range` as a Lua sequence, `{4, 5, 6}`: what a script maps tasks over.
func luaList(_ range: ClosedRange<Int>) -> String { "{" + range.map(String.init).joined(separator: ", ") + "}" }

@Suite("tasks: concurrent panel calls from one script")
struct TaskTests {
    @Test("tasks.spawn returns a task whose wait gives true and every value its function returned")
    func spawnAndWait() async throws {
        try await Harness.make().run(
            """
            local t = tasks.spawn(function(a, b) return a + b, "two", nil end, 40, 2)
            local ok, sum, word, none = t:wait()
            assert(ok == true and sum == 42 and word == "two" and none == nil)
            assert(select("#", t:wait()) == 4, "waiting twice gives the same answer")
            assert(tostring(t) == "task 1" and t:done())
            """, expecting: .succeeded)
    }

    @Test("panel calls made by tasks are in flight at the same time")
    func callsOverlap() async throws {
        // Each request is held until all 20 are at the panel at once.
        let h = try await Harness.make(hold: Latch(opensAt: 20), concurrency: 20)
        try await h.run(
            """
            local list = \(luaList(1...20))
            tasks.map(list, function(i) resellers.add_credits("alice", 1) end, {concurrency = 20})
            """, grant: writeGrant(.resellersAddCredits, max: 100), expecting: .succeeded)
        #expect(h.transport.writesSent.count == 20)
        #expect(h.transport.maxInFlight == 20)
        #expect(try await h.credits("alice") == 120)
    }

    @Test("tasks.map asking for more than the run's --concurrency is told once per run, on stderr and in the run record")
    func askedConcurrencyIsCapped() async throws {
        let h = try await Harness.make(delay: held(50), concurrency: 4)
        let lines = Mutex<[String]>([])
        let output = OutputSink { line in lines.withLock { $0.append(line.stream + ": " + String(decoding: line.bytes, as: UTF8.self)) } }
        let result = try await h.run(
            """
            local list = \(luaList(1...16))
            tasks.map(list, function(i) resellers.add_credits("alice", 1) end, {concurrency = 16})
            tasks.map(list, function(i) resellers.add_credits("alice", 1) end, {concurrency = 8})
            tasks.map({1, 2}, function(i) return i end, {concurrency = 16})
            """, grant: writeGrant(.resellersAddCredits, max: 100), output: output, expecting: .succeeded)
        let notice = "tasks.map asked for 16 at a time; this run allows 4 (--concurrency, [panel] concurrency)\n"
        // Once, though two calls asked for more than 4, and as a warning (standard error).
        #expect(lines.withLock { $0 } == ["warn: " + notice])
        #expect(h.transport.maxInFlight == 4)
        #expect(try h.audit.runs().first { $0.id == result.runID }?.output == "[warn] " + notice)
    }

    @Test("tasks.map within the run's --concurrency, or over fewer items than it, says nothing")
    func askedConcurrencyWithinLimit() async throws {
        let h = try await Harness.make(concurrency: 16)
        let lines = Mutex<[String]>([])
        let output = OutputSink { line in lines.withLock { $0.append(String(decoding: line.bytes, as: UTF8.self)) } }
        try await h.run(
            """
            tasks.map(\(luaList(1...20)), function(i) return i end, {concurrency = 16})
            tasks.map({1, 2, 3}, function(i) return i end, {concurrency = 64})
            """, output: output, expecting: .succeeded)
        #expect(lines.withLock { $0 }.isEmpty)
    }

    @Test("tasks.map returns the results in input order, whatever order the items finish in")
    func mapKeepsOrder() async throws {
        try await Harness.make().run(
            """
            local list = \(luaList(1...30))
            local out = tasks.map(list, function(x, i)
              tasks.sleep((31 - x) / 1000)  -- the first items finish last
              return x * 10
            end, {concurrency = 30})
            assert(#out == 30)
            for i = 1, 30 do assert(out[i] == i * 10, "item " .. i .. " is " .. tostring(out[i])) end
            """, expecting: .succeeded)
    }

    @Test("tasks.map raises the first error, naming the item's index, and starts no item after it")
    func mapFailsFast() async throws {
        try await Harness.make().run(
            """
            local started = {}
            local ok, err = pcall(tasks.map, {1, 2, 3, 4, 5, 6}, function(x)
              started[#started + 1] = x
              if x == 2 then error("no good") end
              tasks.sleep(0.01)
              return x
            end, {concurrency = 2})
            assert(not ok)
            assert(err:find("tasks.map: item 2 failed: test.lua:4: no good", 1, true), err)
            assert(#started == 2, "items started: " .. #started)  -- 1 and 2 at once; none after 2 failed
            """, expecting: .succeeded)
    }

    @Test("tasks.map keeps a panel error's kind and adds the index")
    func mapKeepsErrorObjects() async throws {
        try await Harness.make().run(
            """
            local ok, err = pcall(tasks.map, {"alice", "nobody"}, function(name)
              resellers.add_credits(name, 1)
            end)
            assert(not ok)
            assert(err.kind == "panel refused" and err.index == 2, tostring(err))
            assert(tostring(err):find("^tasks.map: item 2 failed: resellers.add_credits: panel refused"), tostring(err))
            """, grant: writeGrant(.resellersAddCredits, max: 10), expecting: .succeeded)
    }

    @Test("tasks.map with errors = 'collect' gives one ok/value/error record per item")
    func mapCollects() async throws {
        try await Harness.make().run(
            """
            local out = tasks.map({1, 2, 3}, function(x)
              if x == 2 then error({code = 7}) end
              return x
            end, {errors = "collect"})
            assert(out[1].ok and out[1].value == 1 and out[1].error == nil)
            assert(not out[2].ok and out[2].error.code == 7)
            assert(out[3].ok and out[3].value == 3)
            """, expecting: .succeeded)
    }

    @Test("tasks.map refuses bad arguments in Lua's words")
    func mapArguments() async throws {
        try await Harness.make().run(
            """
            local function err(...) local ok, e = pcall(tasks.map, ...) assert(not ok) return e end
            assert(err(5, print):find("bad argument #1 to 'map' (table expected, got number)", 1, true))
            assert(err({}, 5):find("bad argument #2 to 'map' (function expected, got number)", 1, true))
            assert(err({}, print, {concurrency = 0}):find("concurrency must be a whole number, 1 or more", 1, true))
            assert(err({}, print, {errors = "ignore"}):find('errors must be "raise" or "collect"', 1, true))
            assert(#tasks.map({}, print) == 0)
            """, expecting: .succeeded)
    }

    @Test("an error inside a task comes back from wait as false and the error value")
    func errorInTask() async throws {
        try await Harness.make().run(
            """
            local t = tasks.spawn(function() error({reason = "bad"}) end)
            local ok, e = t:wait()
            assert(ok == false and e.reason == "bad")
            local s = tasks.spawn(function() local x = nil; return x.field end)
            local ok2, e2 = s:wait()
            assert(not ok2 and e2:find("attempt to index"), e2)
            """, expecting: .succeeded)
    }

    @Test("a task that fails and that nothing waits for fails the run at its end")
    func unobservedFailure() async throws {
        let result = try await Harness.make().run(
            "tasks.spawn(function() error('lost') end) tasks.spawn(function() error('too') end)", expecting: .failed)
        #expect(result.error == "task 1 failed and nothing waited for it: test.lua:1: lost (and 1 more)")
    }

    @Test("tasks spawn tasks, and the script waits for all of them before it ends")
    func nestedSpawns() async throws {
        let h = try await Harness.make(delay: held(20))
        try await h.run(
            """
            local total = 0
            local function leaf(n) resellers.add_credits("alice", 1) total = total + n end
            local parent = tasks.spawn(function()
              local kids = {}
              for i = 1, 5 do kids[i] = tasks.spawn(leaf, i) end
              for i = 1, 5 do assert(kids[i]:wait()) end
              tasks.spawn(leaf, 100)  -- not waited for: the run still waits for it
              return total
            end)
            local ok, seen = parent:wait()
            assert(ok and seen == 15, tostring(seen))
            """, grant: writeGrant(.resellersAddCredits, max: 10), expecting: .succeeded)
        #expect(try await h.credits("alice") == 106)
    }

    @Test("a spawn bomb ends the run with the task limit, which pcall cannot catch")
    func spawnBomb() async throws {
        let result = try await Harness.make().run(
            """
            local function bomb() pcall(tasks.spawn, bomb) pcall(tasks.spawn, bomb) end
            pcall(bomb)
            """, maxTasks: 500, expecting: .taskLimit)
        #expect(result.error == "task limit of 500 live tasks reached")
    }

    @Test("spawning without ever waiting hits the default task limit of 10,000")
    func spawnLoop() async throws {
        let result = try await Harness.make().run("while true do tasks.spawn(function() end) end", expecting: .taskLimit)
        #expect(result.error == "task limit of 10000 live tasks reached")
    }

    @Test("a task that loops forever is stopped by the run's instruction limit")
    func loopingTask() async throws {
        try await Harness.make().run(
            """
            tasks.spawn(function() local ok = pcall(function() while true do end end) while true do end end)
            local t = tasks.spawn(function() return 1 end)
            t:wait()
            """, limits: LuaLimits(instructions: 5_000_000, time: .seconds(20)), expecting: .instructionLimit)
    }

    @Test("the instruction limit counts the work of every task together")
    func sharedInstructionBudget() async throws {
        let h = try await Harness.make()
        // Each task alone stays under the limit; together they pass it.
        try await h.run(
            """
            local function work() local n = 0 for i = 1, 400000 do n = n + i end tasks.sleep(0) return n end
            local list = \(luaList(1...10))
            tasks.map(list, work, {concurrency = 10})
            """, limits: LuaLimits(instructions: 2_000_000, time: .seconds(20)), expecting: .instructionLimit)
    }

    @Test("a panel call inside pcall or xpcall in a task still yields, so calls overlap")
    func yieldThroughPcall() async throws {
        // Each request is held until all 8 are at the panel at once.
        let h = try await Harness.make(hold: Latch(opensAt: 8), concurrency: 8)
        try await h.run(
            """
            local list = \(luaList(1...8))
            tasks.map(list, function(i)
              if i % 2 == 0 then
                assert(pcall(resellers.add_credits, "alice", 1))
              else
                assert(xpcall(resellers.add_credits, function(e) return e end, "alice", 1))
              end
            end, {concurrency = 8})
            """, grant: writeGrant(.resellersAddCredits, max: 100), expecting: .succeeded)
        #expect(h.transport.maxInFlight == 8)
    }

    @Test("a panel call where a task cannot yield (a table.sort comparator) waits in place")
    func callInComparator() async throws {
        try await Harness.make(delay: held(5)).run(
            """
            local t = tasks.spawn(function()
              local names = {"carol", "alice", "bob"}
              table.sort(names, function(a, b)
                local rows = resellers.list()  -- cannot yield here: it waits
                return a < b
              end)
              return table.concat(names, ",")
            end)
            local ok, names = t:wait()
            assert(ok and names == "alice,bob,carol", tostring(names))
            """, expecting: .succeeded)
    }

    @Test("a panel call inside the script's own coroutine works: it waits in place, other tasks go on")
    func callInOwnCoroutine() async throws {
        // The coroutine's read is held until the other task's write is at the panel too.
        let h = try await Harness.make(hold: Latch(opensAt: 2))
        try await h.run(
            """
            local other = tasks.spawn(function() resellers.add_credits("bob", 1) return "other done" end)
            local co = coroutine.wrap(function()
              local rows = resellers.list()
              coroutine.yield(#rows)
              return "end"
            end)
            assert(co() == 3)
            assert(co() == "end")
            assert(select(2, other:wait()) == "other done")
            """, grant: writeGrant(.resellersAddCredits, max: 10), expecting: .succeeded)
        #expect(h.transport.maxInFlight == 2)
    }

    @Test("coroutine.resume of a task waiting for the panel has no effect: it goes on when the answer comes")
    func resumeOfWaitingTaskIgnored() async throws {
        // The task's read is answered only once the script has made a read of its own, after
        // the resume.
        try await Harness.make(hold: Latch(opensAt: 2)).run(
            """
            local co
            local t = tasks.spawn(function() co = coroutine.running() return #resellers.list() end)
            tasks.sleep(0.01)
            assert(coroutine.status(co) == "suspended")
            local ok, extra = coroutine.resume(co, "a value the task must not see")
            assert(ok and extra == nil)
            assert(coroutine.status(co) == "suspended")
            assert(#resellers.list() == 3)
            local done, rows = t:wait()
            assert(done and rows == 3, tostring(rows))
            """, expecting: .succeeded)
    }

    @Test("coroutine.yield in a task only lets the other tasks run")
    func plainYield() async throws {
        try await Harness.make().run(
            """
            local trace = {}
            local function step(name) for i = 1, 3 do trace[#trace + 1] = name .. i coroutine.yield() end end
            local a, b = tasks.spawn(step, "a"), tasks.spawn(step, "b")
            a:wait() b:wait()
            assert(table.concat(trace, " ") == "a1 b1 a2 b2 a3 b3", table.concat(trace, " "))
            """, expecting: .succeeded)
    }

    @Test("two tasks that wait for each other are a deadlock, reported as an error")
    func deadlock() async throws {
        let result = try await Harness.make().run(
            """
            local a, b
            a = tasks.spawn(function() tasks.sleep(0) return b:wait() end)
            b = tasks.spawn(function() tasks.sleep(0) return a:wait() end)
            a:wait()
            """, expecting: .failed)
        #expect(result.error?.contains("deadlock: every task waits for another task") == true, "\(result.error ?? "")")
    }

    @Test("a task cannot wait for itself")
    func selfWait() async throws {
        try await Harness.make().run(
            """
            local t
            t = tasks.spawn(function() tasks.sleep(0) return t:wait() end)
            local ok, err = t:wait()
            assert(not ok and err:find("a task cannot wait for itself"), tostring(err))
            """, expecting: .succeeded)
    }

    @Test("tasks.sleep refuses negative and non-numeric durations")
    func sleepArguments() async throws {
        try await Harness.make().run(
            """
            local ok, e = pcall(tasks.sleep, -1)
            assert(not ok and e:find("bad argument #1 to 'tasks.sleep' (seconds must not be negative)", 1, true), e)
            ok, e = pcall(tasks.sleep, "soon")
            assert(not ok and e:find("number expected, got string", 1, true), e)
            """, expecting: .succeeded)
    }
}

@Suite("tasks: caps, stops and the audit log")
struct TaskSafetyTests {
    @Test("a dry-run plans the tasks' writes in the order they were made, the same on every run")
    func dryRunPlanIsStable() async throws {
        let h = try await Harness.make(resellers: 20, delay: { n, _ in .milliseconds((n * 7919) % 13) })
        let script = """
            local ids = \(luaList(4...23))
            tasks.map(ids, function(id, i)
              tasks.sleep(math.random() / 100)
              local rows = resellers.list()
              resellers.add_credits(id, i)
            end, {concurrency = 20})
            """
        let grant = writeGrant(.resellersAddCredits, max: 10_000)
        let first = try await h.run(script, grant: grant, mode: .dryRun)
        let second = try await h.run(script, grant: grant, mode: .dryRun)
        #expect(first.status == .succeeded, "\(first.error ?? "")")
        #expect(first.plan.map(\.creditChange) == Array(1...20))
        #expect(first.plan.map(\.description) == second.plan.map(\.description))
        #expect(h.transport.writesSent.isEmpty)
    }

    /// Runs fifty tasks that each add 10 credits to their own reseller under a run cap of 95,
    /// on a panel that lets `concurrency` in at once and answers each request only once the
    /// run has stopped, and expects the run stopped at the cap: refused, `sent` writes sent
    /// and done (10 credits each), and one write, the one over the cap, refused. Returns the
    /// audited writes.
    @discardableResult
    static func expectStopAtTheCap(
        concurrency: Int, sent: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [AuditEntry] {
        let h = try await Harness.make(resellers: 50, untilStop: { _, _ in true }, concurrency: concurrency)
        let result = try await h.run(
            "tasks.map(\(luaList(4...53)), function(id) resellers.add_credits(id, 10) end, {concurrency = 50})",
            grant: writeGrant(.resellersAddCredits, max: 95), expecting: .refused, sourceLocation: sourceLocation)
        #expect(h.transport.writesSent.count == sent, sourceLocation: sourceLocation)
        let writes = try h.writes(result.runID)
        #expect(writes.filter { $0.outcome == AuditOutcome.done }.count == sent, sourceLocation: sourceLocation)
        #expect(writes.filter { $0.outcome == AuditOutcome.refused }.count == 1, sourceLocation: sourceLocation)
        #expect(result.creditsMoved == sent * 10, sourceLocation: sourceLocation)
        return writes
    }

    @Test("credits are reserved when a write is made: concurrent writes never pass the run cap")
    func capHoldsUnderConcurrency() async throws {
        // Nine writes of 10 fit under the cap of 95; the tenth does not.
        try await Self.expectStopAtTheCap(concurrency: 50, sent: 9)
    }

    @Test("a stop drops the calls still waiting for their turn: never sent, audited as failed, credits released")
    func stopDropsQueuedCalls() async throws {
        // Concurrency 4: four writes go out, five wait for a slot, the tenth passes the cap.
        let writes = try await Self.expectStopAtTheCap(concurrency: 4, sent: 4)
        #expect(writes.filter { $0.outcome == AuditOutcome.failed && $0.answer?.contains("nothing was sent") == true }.count == 5)
    }

    @Test("a write whose outcome becomes unknown stops the run: no new request, the others in flight audited as answered")
    func outcomeUnknownMidFlight() async throws {
        // Ten tasks make five writes each. Once the first ten are all at the panel, the 7th is
        // applied and its connection dropped; the other nine are answered only once the run
        // has stopped.
        let h = try await Harness.make(
            resellers: 10, hold: Latch(opensAt: 10), untilStop: { n, _ in n != 7 }, drop: { n, _ in n == 7 },
            concurrency: 10)
        let result = try await h.run(
            """
            local ids = \(luaList(4...13))
            tasks.map(ids, function(id) for k = 1, 5 do resellers.add_credits(id, 1) end end, {concurrency = 10})
            """, grant: writeGrant(.resellersAddCredits, max: 1000), expecting: .outcomeUnknown)
        #expect(h.transport.writesSent.count == 10)
        let outcomes = try h.writes(result.runID).map(\.outcome)
        #expect(outcomes.filter { $0 == AuditOutcome.done }.count == 9)
        #expect(outcomes.filter { $0 == AuditOutcome.unknown }.count == 1)
        #expect(outcomes.count == 10)
    }

    @Test("the deadline passing during 500 in-flight writes: none after it is sent, those in flight are audited as answered")
    func deadlineDuringFlight() async throws {
        // Every write is held at the panel until the run's time is up. The deadline passes (as
        // the process watchdog ends a run) once all 500 are in flight, and only then are they
        // answered: in this order whatever the machine's speed.
        let hold = Latch()
        let h = try await Harness.make(resellers: 500, hold: hold, concurrency: 500)
        let run = ScriptRun(
            scriptPath: "test.lua",
            source: Array(
                """
                local ids = \(luaList(4...503))
                tasks.map(ids, function(id) resellers.add_credits(id, 1) resellers.add_credits(id, 1) end, {concurrency = 500})
                """.utf8),
            grant: writeGrant(.resellersAddCredits, max: 10_000), limits: LuaLimits(time: .seconds(3600)))
        let runner = try ScriptRunner(
            run: run, client: h.client, audit: h.audit, output: OutputSink { _ in }, logger: .init(label: "test"))
        // A give-up, not a measure: the answers come as soon as the run has stopped.
        runner.drainLimit = .seconds(300)
        let interrupter = runner.interrupter
        let watchdog = Thread {
            let giveUp = Date(timeIntervalSinceNow: 300)
            while h.transport.writesSent.count < 500 && Date() < giveUp { usleep(1000) }
            interrupter.expire()
            hold.open()
        }
        watchdog.start()
        let result: RunResult = await ScriptThread.run { runner.execute() }
        #expect(result.status == .timedOut, "\(result.error ?? "")")
        #expect(h.transport.writesSent.count == 500)
        let writes = try h.audit.writes(runID: result.runID, limit: 1000)
        #expect(writes.count == 500)
        #expect(writes.allSatisfy { $0.outcome == AuditOutcome.done })
        #expect(result.creditsMoved == 500)
    }

    @Test("a write still unanswered when the drain limit passes stays outcome unknown in the audit log")
    func drainLimit() async throws {
        // The task's write is answered only after the run has returned; the run is stopped
        // once the write is at the panel.
        let hold = Latch()
        let h = try await Harness.make(hold: hold)
        let run = ScriptRun(
            scriptPath: "test.lua", source: Array("tasks.spawn(resellers.add_credits, 1, 5) tasks.sleep(3600)".utf8),
            grant: writeGrant(.resellersAddCredits), limits: LuaLimits(time: .seconds(3600)))
        let runner = try ScriptRunner(
            run: run, client: h.client, audit: h.audit, output: OutputSink { _ in }, logger: .init(label: "test"))
        runner.drainLimit = .milliseconds(200)
        let interrupter = runner.interrupter
        let stopper = Thread {
            let giveUp = Date(timeIntervalSinceNow: 300)
            while h.transport.writesSent.isEmpty && Date() < giveUp { usleep(1000) }
            interrupter.interrupt()
        }
        stopper.start()
        let result: RunResult = await ScriptThread.run { runner.execute() }
        hold.open()
        #expect(result.status == .outcomeUnknown)
        #expect(try h.writes(result.runID).map(\.outcome) == [AuditOutcome.unknown])
    }
}
