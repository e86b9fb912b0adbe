import Foundation
import LuaHost
import NightshiftConfig
import NightshiftCore
import PanelAPI
import RunRecords
import ScriptAPI
import ScriptRuntime

/// `nightshift run SCRIPT --panels eu,us`: the script once per panel, all at once, in one
/// process. Each panel's run is a run of its own (a VM, a thread, a run record, audit rows
/// with the panel's name, the grant's caps counted for it alone, the panel's politeness);
/// `--max-credits-total` is one ``FleetLedger`` the runs reserve in. Then one summary.
///
/// Like ``ScriptProcess``, two steps so that the executable can wire signals in between.
public final class FleetProcess: Sendable {
    /// One panel of the fleet.
    struct Member: Sendable {
        let connection: PanelConnection
        let runner: ScriptRunner
        let sink: OutputSink
        let context: ScriptProcess.Context
        var name: String { connection.name }
    }

    private let members: [Member]
    private let preparation: RunPreparation
    private let output: ProcessOutput
    private let ledger: FleetLedger

    /// The fleet's id, kept on each of its runs' records.
    public var fleetID: String { ledger.id }

    /// Everything that can fail before the runs start: the configuration, the script, the
    /// state, and every panel's key. A fleet with one panel's key missing or unsafe does not
    /// start at all (a panel that is down, or refuses its key, is found while running and
    /// ends only its own run).
    /// - Parameters:
    ///   - panels: the panels, in the order `--panels` names them.
    ///   - maxCreditsTotal: `--max-credits-total`.
    ///   - politeness: each panel's `--concurrency` and `--rate`.
    public init(
        _ request: ScriptProcess.Request, panels: [PanelDefinition], maxCreditsTotal: Int?, started: ContinuousClock.Instant,
        environment: Environment, configuration: NightshiftConfiguration, grant: Grant,
        politeness: (PanelDefinition) -> PanelConnection.Politeness
    ) async throws(CommandFailure) {
        let preparation = try RunPreparation(request, started: started, environment: environment, configuration: configuration)
        let keys = try environment.fleetKeys(panels, heading: "the fleet did not start; no panel was called:")
        let ledger = FleetLedger(id: RunIdentity.newRunID(), cap: maxCreditsTotal)
        let output = ProcessOutput(deadline: preparation.deadline)
        var members: [Member] = []
        do throws(CommandFailure) {
            for (panel, key) in zip(panels, keys) {
                // Panel calls never outlive the run.
                let connection = try PanelConnection.http(
                    panel, key: key, within: preparation.timeLimit, politeness: politeness(panel), logger: preparation.logger)
                let sink = preparation.sink(output, prefix: "[\(panel.name)] ")
                do {
                    let runner = try ScriptRunner(
                        run: preparation.scriptRun(grant: grant, configuration: configuration, panel: panel.name, fleet: ledger),
                        client: connection.client, audit: preparation.audit, output: sink, logger: preparation.logger,
                        notifier: preparation.notifier)
                    let context = ScriptProcess.Context(
                        panelURL: connection.label, apiKey: connection.client.configuration.apiKey, scriptPath: request.script,
                        scriptSHA256: ContentHash.sha256(preparation.source), arguments: request.arguments, grant: grant)
                    members.append(Member(connection: connection, runner: runner, sink: sink, context: context))
                } catch {
                    await connection.shutdown()
                    throw CommandFailure(.scriptFailed, "cannot create the Lua VM: \(error.message)")
                }
            }
        } catch {
            for member in members { await member.connection.shutdown() }
            throw error
        }
        if !request.json {
            let cap = maxCreditsTotal.map { "; fleet cap \($0) credits (--max-credits-total)" } ?? ""
            output.error(
                "fleet \(ledger.id): \(request.script) [\(request.mode.rawValue)] on \(panels.count) panels (\(panels.map(\.name).joined(separator: ", "))); \(grant) per panel\(cap)")
            for member in members {
                output.error("[\(member.name)] run \(member.runner.identity.runID) on \(member.connection.label)")
            }
        }
        self.members = members
        self.preparation = preparation
        self.output = output
        self.ledger = ledger
    }

    /// Stops every panel's script at its next check (Ctrl-C, SIGTERM).
    public func interrupt() {
        for member in members { member.runner.interrupter.interrupt() }
    }

    /// Runs every panel's script at once, to its end, and reports the fleet.
    /// - Parameter exit: ends the process; used when a watchdog gave up on a run stuck in a
    ///   C call past the deadline (its thread never returns).
    /// - Returns: the exit code (docs/exit-codes.md).
    public func run(exit: @escaping @Sendable (Int32) -> Never) async -> RunExitCode {
        let limitText = LuaLimit.time(preparation.timeLimit).description
        let results = FleetResults(count: members.count)
        let audit = preparation.audit
        for (index, member) in members.enumerated() {
            let runID = member.runner.identity.runID
            let watchdog = ProcessWatchdog(deadline: preparation.deadline, interrupter: member.runner.interrupter) {
                // This panel's VM is stuck in a C call: record it; the fleet ends without it.
                let message = "\(limitText); the script was stuck inside a library call and the process was ended"
                _ = try? audit.finishRun(
                    id: runID, endedAt: Timestamp.iso(Date()), status: .timedOut, output: member.sink.text, error: message)
                results.set(index, RunResult(runID: runID, status: .timedOut, error: message), stuck: true)
            }
            watchdog.start()
            let runner = member.runner
            Task {
                var result = await ScriptThread.run(name: "nightshift \(member.name)") { runner.execute() }
                watchdog.finish()
                if result.status == .timedOut { result.error = limitText }
                if result.status == .interrupted { result.error = "interrupted (Ctrl-C or SIGTERM)" }
                results.set(index, result)
            }
        }
        let (finished, stuck) = await results.all()
        for member in members { await member.connection.shutdown() }
        var code = report(finished, countsKnown: !stuck)
        if !stuck, let afterFleet = preparation.request.afterFleet {
            let runs = zip(members, finished).map { FleetMemberRun(panel: $0.name, result: $1, context: $0.context) }
            if let replaced = afterFleet(runs, { output.error($0) }) { code = replaced }
        }
        if stuck {
            output.finish(until: preparation.deadline + .milliseconds(980))
            exit(code.rawValue)
        }
        output.finish(until: preparation.deadline + .milliseconds(950))
        await preparation.shipRecords()
        return code
    }

    /// Writes the receipt, then the JSON object or each panel's report and the fleet's
    /// summary; returns the exit code.
    private func report(_ results: [RunResult], countsKnown: Bool) -> RunExitCode {
        let request = preparation.request
        let outcomes = zip(members, results).map { member, result in
            PanelOutcome(
                panel: member.name, runID: result.runID, status: result.status, exitCode: RunExitCode(result.status).rawValue,
                error: result.error, errorKind: result.errorKind, writesSent: result.writesSent,
                creditsMoved: result.creditsMoved)
        }
        let summary = FleetSummary(fleetID: ledger.id, panels: outcomes, cap: ledger.cap, mode: request.mode)
        if let resultFile = request.resultFile {
            var receipt = summary.receipt(notificationsSent: results.reduce(0) { $0 + $1.notificationsSent })
            if !countsKnown { receipt.retryable = false }
            do { try receipt.write(to: resultFile) } catch {
                output.error("nightshift run: --result-file: \(error); the runs themselves are recorded in the audit log")
            }
        }
        if request.json {
            let runs = zip(results, outcomes).map { result, outcome in
                RunReport.jsonObject(result, mode: request.mode, scriptPath: request.script, exitCode: outcome.exitCode)
            }
            output.out(summary.json(script: request.script, runs: runs))
            return summary.exitCode
        }
        for (member, result) in zip(members, results) {
            let prefix = "[\(member.name)] "
            if request.mode == .dryRun { output.out(Self.prefixed(RunReport.planText(result.plan), prefix)) }
            if let error = result.error { output.error("\(prefix)nightshift run: \(result.status.rawValue): \(error)") }
            output.error(prefix + RunReport.summary(result, mode: request.mode, scriptPath: request.script))
            if result.status == .outcomeUnknown {
                output.error(
                    "\(prefix)a write may or may not have been applied: look at the reseller in the panel before running again (nightshift audit --run \(result.runID))")
            }
        }
        for line in summary.lines { output.error(line) }
        return summary.exitCode
    }

    static func prefixed(_ text: String, _ prefix: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
    }
}

/// One panel's run of a fleet, as ``ScriptProcess/Request/afterFleet`` is given it.
public struct FleetMemberRun: Sendable {
    /// The panel's name.
    public var panel: String
    /// How its run ended.
    public var result: RunResult
    /// What it ran with.
    public var context: ScriptProcess.Context
}
