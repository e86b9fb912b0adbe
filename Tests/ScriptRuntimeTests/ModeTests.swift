import Foundation
import LuaHost
import PanelAPI
import PanelEmulator
import Testing

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

@Suite("live, dry-run and confirm modes")
struct ModeTests {
    @Test("dry-run sends no write and later reads see the planned credits")
    func dryRunOverlay() async throws {
        let h = try await Harness.make()
        let result = try await h.run("""
            resellers.add_credits(2, 20)
            local id = resellers.new{name = 'dave', credits = 5}
            local seen = {}
            for _, r in ipairs(resellers.list()) do seen[r.username] = r.credits end
            assert(seen.bob == 25, tostring(seen.bob))
            assert(seen.dave == 5 and id == 4, tostring(id))
            """, grant: writeGrant(.resellersAddCredits, .resellersNew), mode: .dryRun, expecting: .succeeded)
        #expect(h.transport.writesSent.isEmpty)
        #expect(try await h.credits("bob") == 5)
        #expect(result.plan.map(\.description) == [
            "resellers.add_credits  bob (id 2)  credits 5 -> 25 (+20)  [test.lua:1]",
            "resellers.new  new \"dave\"  credits 5 (new)  [test.lua:2]",
        ])
    }

    @Test("dry-run sends no write from a <close> handler, an error path or a pcall")
    func dryRunEveryPath() async throws {
        let h = try await Harness.make()
        let result = try await h.run("""
            local guard <close> = setmetatable({}, {__close = function() resellers.add_credits(1, 1) end})
            pcall(resellers.update, 1, {max_allowed_connections = 2})
            error(setmetatable({}, {__tostring = function() resellers.add_credits(2, 1) return "x" end}))
            """, grant: writeGrant(.resellersAddCredits, .resellersUpdate), mode: .dryRun, expecting: .failed)
        #expect(h.transport.writesSent.isEmpty)
        #expect(try h.writes(result.runID).allSatisfy { $0.outcome == AuditOutcome.planned })
    }

    @Test("dry-run refuses what the panel would refuse")
    func dryRunSimulatesRefusals() async throws {
        try await Harness.make().run("""
            local ok, err = pcall(resellers.add_credits, 'nobody', 5)
            assert(not ok and err.panel_message == 'NOT EXISTS', tostring(err))
            ok, err = pcall(resellers.add_credits, 2, -10)
            assert(not ok and err.panel_message == 'NOT ENOUGH CREDITS', tostring(err))
            """, grant: writeGrant(.resellersAddCredits), mode: .dryRun, expecting: .succeeded)
    }

    @Test("confirm mode sends a write only after yes, and audits a no as declined")
    func confirm() async throws {
        let h = try await Harness.make()
        let confirmer = ScriptedConfirmer([true, false])
        let result = try await h.run(
            "resellers.add_credits(1, 1) local ok, err = pcall(resellers.add_credits, 2, 1) assert(err.kind == 'declined')",
            grant: writeGrant(.resellersAddCredits), mode: .confirm, confirmer: confirmer, expecting: .succeeded)
        #expect(confirmer.asked.count == 2)
        #expect(h.transport.writesSent.count == 1)
        #expect(try h.writes(result.runID).map(\.outcome) == [AuditOutcome.done, AuditOutcome.declined])
    }

    @Test("a write without a usable answer ends the run and stays 'outcome unknown' in the audit log")
    func outcomeUnknown() async throws {
        let h = try await Harness.make(faults: FaultPlan(dropRate: 1))
        let result = try await h.run(
            "pcall(resellers.add_credits, 1, 5) resellers.add_credits(2, 5)", grant: writeGrant(.resellersAddCredits),
            expecting: .outcomeUnknown)
        #expect(h.transport.writesSent.count == 1)
        #expect(try h.writes(result.runID).map(\.outcome) == [AuditOutcome.unknown])
    }
}

@Suite("stopping a run that waits for the panel")
struct StopWhileWaitingTests {
    /// Runs `source` and interrupts it from another thread once its first write is on its way,
    /// held by `hold`; with `answerAfterStop`, opens `hold` once the stop is asked for, so the
    /// answer comes after the stop. `hold` is open when this returns.
    private func runAndStop(
        _ h: Harness, _ source: String, hold: Latch, answerAfterStop: Bool, drainLimit: Duration
    ) async throws -> RunResult {
        let run = ScriptRun(
            scriptPath: "test.lua", source: Array(source.utf8), grant: writeGrant(.resellersAddCredits),
            limits: LuaLimits(time: .seconds(120)))
        let runner = try ScriptRunner(
            run: run, client: h.client, audit: h.audit, output: OutputSink { _ in }, logger: .init(label: "test"))
        runner.drainLimit = drainLimit
        let interrupter = runner.interrupter
        let stopper = Thread {
            while h.transport.writesSent.isEmpty { usleep(1000) }
            interrupter.interrupt()
            if answerAfterStop { hold.open() }
        }
        stopper.start()
        let result = await ScriptThread.run { runner.execute() }
        hold.open()
        return result
    }

    @Test("a write in flight when the run is stopped is waited for and audited with the panel's answer")
    func stopDuringWrite() async throws {
        let hold = Latch()
        let h = try await Harness.make(hold: hold)
        let result = try await runAndStop(
            h, "resellers.add_credits(1, 5) resellers.add_credits(1, 5)", hold: hold, answerAfterStop: true,
            drainLimit: .seconds(60))
        #expect(result.status == .interrupted)
        #expect(h.transport.writesSent.count == 1)
        #expect(try h.writes(result.runID).map(\.outcome) == [AuditOutcome.done])
        #expect(try await h.credits("alice") == 105)
    }

    @Test("a write still waiting for the panel when the stopped run gives up ends the run as outcome unknown")
    func stopDuringSlowWrite() async throws {
        // The write is answered only after the run has returned.
        let hold = Latch()
        let h = try await Harness.make(hold: hold)
        let result = try await runAndStop(
            h, "resellers.add_credits(1, 5)", hold: hold, answerAfterStop: false, drainLimit: .milliseconds(200))
        #expect(result.status == .outcomeUnknown)
        #expect(try h.writes(result.runID).map(\.outcome) == [AuditOutcome.unknown])
    }
}
