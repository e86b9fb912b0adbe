import ArgumentParser
import Foundation
import NightshiftCore
import Operations
import Plans

/// `nightshift show FILE`: a plan for review.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a plan for review: each write with credits before and after, totals, preconditions, approvals, and whether it is stale, expired or used.",
        discussion: "A plan changed after it was made, expired or used is shown too, marked as such. It reads no panel: apply checks the panel. See docs/plans.md."
    )

    @Argument(help: "The plan file.")
    var file: String

    @OptionGroup var state: StateOptions

    func run() async throws {
        let plan: Plan
        do {
            plan = try Plan.load(file)
        } catch {
            Output.error("nightshift show: \(error)")
            throw RunExitCode.refused.exit
        }
        do {
            let environment = Environment()
            let configuration = try environment.configuration(explicit: state.configPath)
            let stores = try await PlanStores.open(
                environment: environment, configuration: configuration, stateDirectory: state.stateDirectory)
            let use = try? await stores.use(of: plan.id)
            await stores.close()
            let standing = Plan.Standing(
                intact: plan.computedDigest == plan.digest, expired: plan.isExpired(at: Date()),
                used: use.map { PlanApply.usedText(plan.id, $0) }, approvals: plan.reviewApprovals(configuration.approvals),
                required: configuration.approvals.required)
            Output.out(plan.text(standing))
        } catch {
            Output.error("nightshift show: \(error.message)")
            throw error.code.exit
        }
    }
}
