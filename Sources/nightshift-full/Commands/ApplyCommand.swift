import ArgumentParser
import Foundation
import Logging
import NightshiftCore
import Operations
import OperationsFull
import Plans
import ScriptCommands

/// `nightshift apply FILE`: exactly a plan's writes, once every check passes.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Send exactly the writes of an approved plan, without running any Lua.",
        discussion: """
            Refuses, sending nothing, a plan whose content does not match its digest, of another \
            schema version, expired, used before (applied, partly applied, rejected), without the \
            approvals [approvals] requires, for another panel or key, or whose preconditions no \
            longer hold (it reads the resellers once and names every difference). The writes go out \
            with --concurrency and --rate, each audited with the plan's id; a refusal or an unknown \
            outcome stops it, and the plan is then used up. Exit codes: docs/exit-codes.md; docs/plans.md.
            """
    )

    @Argument(help: "The plan file, or the id of a plan this host keeps.")
    var file: String

    @OptionGroup var panelOptions: PanelOptions

    @Option(name: .customLong("as"), help: "Who applies it, for the audit log (default: your user name).")
    var actor: String?

    @OptionGroup var state: StateOptions

    func run() async throws {
        var logger = Logger(label: "nightshift.apply")
        logger.logLevel = .warning
        do {
            let environment = Environment()
            let configuration = try environment.configuration(explicit: state.configPath)
            let stores = try await PlanStores.open(
                environment: environment, configuration: configuration, stateDirectory: state.stateDirectory)
            let plan: Plan
            let file: String
            do {
                file = try PlanKeeping.file(self.file) { stores.audit }
                plan = try Plan.load(file)
            } catch {
                await stores.close()
                Output.error("nightshift apply: \(error)")
                throw RunExitCode.refused.exit
            }
            let connection = try await panelOptions.connect(
                environment: environment, configuration: configuration, within: nil, logger: logger)
            let apply = PlanApply(
                plan: plan, path: file, client: connection.client, panelURL: connection.label, panelName: connection.name, audit: stores.audit,
                shared: stores.shared, approvals: configuration.approvals,
                actor: PlanActor.name(actor, environment: environment), host: environment.host)
            let code: RunExitCode
            do {
                let timing = try await apply.check()
                Output.error("applying plan \(plan.id): \(plan.writes.count) writes (run \(apply.runID))")
                let sending = ContinuousClock.now
                let outcome = try await apply.send()
                let sent = ContinuousClock.now - sending
                code = RunExitCode(outcome.status)
                let summary = "plan \(plan.id) \(outcome.state): \(outcome.writesSent) of \(plan.writes.count) writes sent, \(outcome.creditsMoved) credits moved"
                Output.error(
                    "checks took \(Self.seconds(timing.total)) s, of which reading the panel for the preconditions \(Self.seconds(timing.panelRead)) s; sending took \(Self.seconds(sent)) s")
                if let error = outcome.error {
                    Output.error("nightshift apply: \(error)")
                    Output.error(summary + "; the plan is used up: make a new one from the panel as it is now")
                } else {
                    Output.out(summary)
                }
            } catch {
                Output.error("nightshift apply: \(error)")
                code = .refused
            }
            await connection.shutdown()
            await stores.close()
            if code != .ok { throw code.exit }
        } catch let failure as CommandFailure {
            Output.error("nightshift apply: \(failure.message)")
            throw failure.code.exit
        }
    }

    /// `0.123`: seconds with milliseconds.
    static func seconds(_ duration: Duration) -> String {
        let (whole, atto) = duration.components
        return String(format: "%.3f", Double(whole) + Double(atto) / 1e18)
    }
}
