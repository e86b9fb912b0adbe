import ArgumentParser
import Foundation
import NightshiftCore
import Operations
import OperationsFull
import Plans
import RunRecords
import ScriptCommands

/// `nightshift approve FILE --key PATH`: an approver's signature over a plan.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a plan: sign its digest with your key; the signature goes in the file and the audit log.",
        discussion: "The key must belong to an approver in [approvals] of nightshift.toml. A plan changed after it was made cannot be approved. See docs/plans.md."
    )

    @Argument(help: "The plan file, or the id of a plan this host keeps (nightshift jobs pending lists those waiting).")
    var file: String

    @Option(help: ArgumentHelp("Your private key (made by nightshift keys new; mode 600).", valueName: "path"))
    var key: String

    @OptionGroup var state: StateOptions

    func run() async throws {
        do {
            let environment = Environment()
            let configuration = try environment.configuration(explicit: state.configPath)
            let privateKey = try PlanKeys.load(key)
            let stores = try await PlanStores.open(
                environment: environment, configuration: configuration, stateDirectory: state.stateDirectory)
            defer { Task { await stores.close() } }
            let file = try PlanKeeping.file(self.file) { stores.audit }
            var plan = try PlanFile.load(file)
            try plan.checkExpiry(now: Date())
            if let use = try await stores.use(of: plan.id) { throw PlanRefusal(.used, PlanApply.usedText(plan.id, use)) }
            let now = Plan.iso(Date())
            let approver = try plan.approve(with: privateKey, settings: configuration.approvals, at: now)
            try plan.write(to: file, replacing: true)
            try stores.audit.recordPlanEvent(
                plan.id, AuditLog.PlanEvent(kind: "approved", actor: approver, at: now, digest: plan.digest, detail: nil))
            let review = plan.reviewApprovals(configuration.approvals)
            Output.out("approved plan \(plan.id) as \(approver): \(review.valid.count) of \(configuration.approvals.required) approvals needed")
        } catch let failure as CommandFailure {
            Output.error("nightshift approve: \(failure.message)")
            throw failure.code.exit
        } catch {
            Output.error("nightshift approve: \(error)")
            throw RunExitCode.refused.exit
        }
    }
}

/// `nightshift reject FILE --reason TEXT`: a plan that must not be applied.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject a plan: it can never be applied; the reason goes in the file and the audit log.",
        discussion: "With [records] store in nightshift.toml, every host sharing the records refuses it too. See docs/plans.md."
    )

    @Argument(help: "The plan file, or the id of a plan this host keeps (nightshift jobs pending lists those waiting).")
    var file: String

    @Option(help: "Why it is rejected.")
    var reason: String

    @Option(name: .customLong("as"), help: "Who rejects it (default: your user name).")
    var actor: String?

    @OptionGroup var state: StateOptions

    func run() async throws {
        do {
            let environment = Environment()
            let configuration = try environment.configuration(explicit: state.configPath)
            let stores = try await PlanStores.open(
                environment: environment, configuration: configuration, stateDirectory: state.stateDirectory)
            defer { Task { await stores.close() } }
            let file = try PlanKeeping.file(self.file) { stores.audit }
            var plan = try PlanFile.load(file)
            let by = PlanActor.name(actor, environment: environment)
            let now = Plan.iso(Date())
            if let shared = stores.shared {
                guard try await shared.claimPlan(plan.id, digest: plan.digest, state: "rejected", actor: by, host: environment.host, at: now, runID: nil, detail: reason) else {
                    throw PlanRefusal(.used, PlanApply.usedText(plan.id, try await shared.planUse(plan.id)!))
                }
            }
            guard try stores.audit.claimPlan(plan.id, digest: plan.digest, state: "rejected", actor: by, host: environment.host, at: now, runID: nil, detail: reason) else {
                throw PlanRefusal(.used, PlanApply.usedText(plan.id, try stores.audit.planUse(plan.id)!))
            }
            try stores.audit.recordPlanEvent(plan.id, AuditLog.PlanEvent(kind: "rejected", actor: by, at: now, digest: plan.digest, detail: reason))
            plan.rejections.append(Plan.Rejection(by: by, at: now, reason: reason))
            try plan.write(to: file, replacing: true)
            Output.out("rejected plan \(plan.id): it can never be applied")
        } catch let failure as CommandFailure {
            Output.error("nightshift reject: \(failure.message)")
            throw failure.code.exit
        } catch {
            Output.error("nightshift reject: \(error)")
            throw RunExitCode.refused.exit
        }
    }
}
