import Foundation
import Logging
import NightshiftConfig
import NightshiftCore
import Operations
import OperationsFull
import Plans
import ScriptCommands

extension PlanKeeping {
    /// `nightshift plan --await-approval`: waits for the plan's approvals, then applies it;
    /// writes the run's receipt when `resultFile` is given. Leaves an ``ApprovalRequest``
    /// beside the receipt while it waits, for the scheduler's notification and `history`.
    static func awaitApproval(
        plan: Plan, path: String, until: Date, dryRunID: String, resultFile: String?, panelOptions: PanelOptions,
        environment: Environment, configuration: NightshiftConfiguration, stateDirectory: String?
    ) async throws(CommandFailure) -> RunExitCode {
        var settings = configuration.approvals
        guard !settings.approvers.isEmpty else {
            throw CommandFailure(
                .configuration,
                "the plan must wait for approval, but [approvals] in nightshift.toml lists no approver: nobody could approve it; add approvers (nightshift keys new NAME prints one)")
        }
        let wait = PlanWait(path: path, approvals: settings, until: until)
        settings.required = wait.required
        if let resultFile {
            // Until the wait ends, a receipt would say the dry-run's success: there is none.
            unlink(resultFile)
            let request = ApprovalRequest(
                planID: plan.id, digest: plan.digest, path: path, writes: plan.writes.count, credits: plan.creditsMoved,
                waitUntil: Plan.iso(until),
                summary: "\(plan.writes.count) write\(plan.writes.count == 1 ? "" : "s"), \(plan.creditsMoved) credits moved, on \(plan.panel.url)")
            do { try request.write(receipt: resultFile) } catch {
                throw CommandFailure(.configuration, "cannot leave the approval request beside --result-file: \(error)")
            }
        }
        Output.error(
            "plan \(plan.id) waits for \(wait.required) approval\(wait.required == 1 ? "" : "s") until \(Plan.iso(until)): nightshift approve \(plan.id) --key KEY (or the console); nightshift reject \(plan.id) --reason TEXT")
        var logger = Logger(label: "nightshift.apply")
        logger.logLevel = .warning
        let stores = try await PlanStores.open(environment: environment, configuration: configuration, stateDirectory: stateDirectory)
        let connection = try await panelOptions.connect(
            environment: environment, configuration: configuration, within: nil, logger: logger)
        let actor = "job " + (environment.variables["NIGHTSHIFT_JOB"] ?? PlanActor.name(nil, environment: environment))
        let host = environment.host
        let approvals = settings
        let outcome = await wait.run(audit: stores.audit, actor: actor, host: host, say: { Output.error($0) }) { plan in
            PlanApply(
                plan: plan, path: path, client: connection.client, panelURL: connection.label, audit: stores.audit,
                shared: stores.shared, approvals: approvals, actor: actor, host: host)
        }
        await connection.shutdown()
        await stores.close()
        let code = RunExitCode(outcome.status)
        if let resultFile {
            var receipt = RunReceipt(
                runID: outcome.applyRunID ?? dryRunID, status: outcome.status, exitCode: code.rawValue, error: outcome.error,
                writesSent: outcome.writesSent, creditsMoved: outcome.creditsMoved)
            receipt.note = outcome.note
            if outcome.writesSent > 0 { receipt.retryable = false }
            do { try receipt.write(to: resultFile) } catch { Output.error("nightshift plan: --result-file: \(error)") }
        }
        if let error = outcome.error { Output.error("nightshift plan: \(outcome.status.rawValue): \(error)") }
        if let note = outcome.note, outcome.status == .succeeded {
            Output.out("plan \(plan.id) \(note): \(outcome.writesSent) writes sent, \(outcome.creditsMoved) credits moved")
        }
        return code
    }
}
