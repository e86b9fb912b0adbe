import ArgumentParser
import Foundation
import NightshiftCore
import Operations
import OperationsFull
import Plans
import ScriptCommands

/// `nightshift show FILE`: a plan for review.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a plan for review: each write with credits before and after, totals, preconditions, approvals, and whether it is stale, expired or used.",
        discussion: "A plan changed after it was made, expired or used is shown too, marked as such. It reads no panel: apply checks the panel. See docs/plans.md."
    )

    @Argument(help: "The plan file, or the id of a plan this host keeps.")
    var file: String

    @OptionGroup var state: StateOptions

    func run() async throws {
        do {
            let environment = Environment()
            let configuration = try environment.configuration(explicit: state.configPath)
            let stores = try await PlanStores.open(
                environment: environment, configuration: configuration, stateDirectory: state.stateDirectory)
            let plan: any ReviewedPlan
            do {
                plan = try PlanFile.load(try PlanKeeping.file(file) { stores.audit })
            } catch {
                await stores.close()
                Output.error("nightshift show: \(error)")
                throw RunExitCode.refused.exit
            }
            let use = try? await stores.use(of: plan.id)
            let recorded = (try? stores.audit.recordedApprovals(plan.id, digest: plan.digest)) ?? []
            await stores.close()
            let standing = Plan.Standing(
                intact: plan.computedDigest == plan.digest, expired: plan.isExpired(at: Date()),
                used: use.map { PlanApply.usedText(plan.id, $0) },
                approvals: plan.reviewApprovals(configuration.approvals, recorded: recorded),
                required: configuration.approvals.required)
            Output.out(plan.text(standing))
        } catch let failure as CommandFailure {
            Output.error("nightshift show: \(failure.message)")
            throw failure.code.exit
        }
    }
}
