import ArgumentParser
import Foundation
import Logging
import NightshiftConfig
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
            let loaded: any ReviewedPlan
            let file: String
            do {
                file = try PlanKeeping.file(self.file) { stores.audit }
                loaded = try PlanFile.load(file)
            } catch {
                await stores.close()
                Output.error("nightshift apply: \(error)")
                throw RunExitCode.refused.exit
            }
            if let fleet = loaded as? FleetPlan {
                let code = try await applyFleet(fleet, file: file, stores: stores, environment: environment, configuration: configuration, logger: logger)
                if code != .ok { throw code.exit }
                return
            }
            let plan = loaded as! Plan
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

    /// Applies a fleet plan: connects to each section's panel by its name in nightshift.toml,
    /// checks every panel before sending to any, then sends every panel's writes at once.
    private func applyFleet(
        _ plan: FleetPlan, file: String, stores: PlanStores, environment: Environment, configuration: NightshiftConfiguration,
        logger: Logger
    ) async throws(CommandFailure) -> RunExitCode {
        let names = plan.sections.map(\.name)
        if panelOptions.panel != nil || panelOptions.emulator || panelOptions.keyFile != nil {
            await stores.close()
            throw CommandFailure(
                .usage,
                "plan \(plan.id) is a fleet plan for \(names.joined(separator: ", ")): it names its panels, each connected as [panels.NAME] in nightshift.toml says; leave out --panel, --emulator and --key-file")
        }
        var connections: [PanelConnection] = []
        do throws(CommandFailure) {
            let panels: [PanelDefinition]
            do {
                panels = try configuration.fleet(names.joined(separator: ","))
            } catch {
                throw CommandFailure(.configuration, "the fleet plan names panels nightshift.toml does not define as it did: \(error.description)")
            }
            let keys = try environment.fleetKeys(panels, heading: "no panel was called, nothing was sent:")
            for (panel, key) in zip(panels, keys) {
                connections.append(
                    try PanelConnection.http(panel, key: key, within: nil, politeness: panelOptions.politeness(panel), logger: logger))
            }
        } catch {
            for connection in connections { await connection.shutdown() }
            await stores.close()
            throw error
        }
        let apply = FleetPlanApply(
            plan: plan, path: file,
            connections: connections.map { FleetPlanApply.Connection(name: $0.name, client: $0.client, url: $0.label) },
            audit: stores.audit, shared: stores.shared, approvals: configuration.approvals,
            actor: PlanActor.name(actor, environment: environment), host: environment.host)
        var code: RunExitCode
        do {
            try await apply.check()
            Output.error(
                "applying fleet plan \(plan.id): \(plan.writeCount) writes on \(names.count) panels (fleet \(apply.fleetID): "
                    + apply.runs.map { "\($0.name) run \($0.runID)" }.joined(separator: ", ") + ")")
            let outcome = try await apply.send()
            for (name, panel) in outcome.panels {
                let section = plan.sections.first { $0.name == name }?.plan.writes.count ?? 0
                let line = "[\(name)] \(panel.state): \(panel.writesSent) of \(section) writes sent, \(panel.creditsMoved) credits moved"
                if let error = panel.error {
                    Output.error("[\(name)] nightshift apply: \(error)")
                    Output.error(line)
                } else {
                    Output.out(line)
                }
            }
            let summary = "fleet plan \(plan.id) \(outcome.state): \(outcome.writesSent) of \(plan.writeCount) writes sent, \(outcome.creditsMoved) credits moved"
            if outcome.state == "applied" {
                Output.out(summary)
            } else {
                Output.error(summary + "; the plan is used up: make a new one from the panels as they are now")
            }
            code = outcome.exitCode
        } catch {
            Output.error("nightshift apply: \(error)")
            code = .refused
        }
        for connection in connections { await connection.shutdown() }
        await stores.close()
        return code
    }

    /// `0.123`: seconds with milliseconds.
    static func seconds(_ duration: Duration) -> String {
        let (whole, atto) = duration.components
        return String(format: "%.3f", Double(whole) + Double(atto) / 1e18)
    }
}
