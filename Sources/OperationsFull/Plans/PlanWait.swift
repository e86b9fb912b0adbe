import Foundation
import NightshiftConfig
import NightshiftCore
import Operations
import PanelAPI
import Plans
import RunRecords

/// A plan that waits for approval, then applies itself: `nightshift plan --await-approval`,
/// which is how the scheduler runs a job with `approval = "required"`.
///
/// It looks at the plan file (where `nightshift approve` adds signatures and `reject` its
/// rejection) and the audit log (the console's approvals, rejections, and uses by any
/// `apply`) every `poll`, until the plan has the approvals it needs, is rejected or used, or
/// its wait (`approval_timeout`, never past the plan's expiry) passes. An approved plan is
/// applied with ``PlanApply``'s checks and sending, exactly as `nightshift apply` would.
public struct PlanWait: Sendable {
    /// How the wait ended.
    public struct Outcome: Sendable {
        /// `succeeded` (applied), `failed`/`outcome unknown` (applied in part), `refused` (a
        /// check refused it once approved), `expired`, `rejected`.
        public var status: RunStatus
        /// The run id of the apply, when it applied.
        public var applyRunID: String?
        /// Writes sent and credits moved by the apply.
        public var writesSent = 0
        /// Credits moved.
        public var creditsMoved = 0
        /// Why it did not apply (or stopped): for the receipt's error.
        public var error: String?
        /// Who approved it, for the receipt's note: `approved by alice, bob`.
        public var note: String?
    }

    /// The plan file.
    public var path: String
    /// The approvals it needs: `[approvals] required`, at least one.
    public var approvals: ApprovalSettings
    /// When the wait ends.
    public var until: Date
    /// How often it looks.
    public var poll: Duration = .seconds(1)
    /// The time.
    public var now: @Sendable () -> Date = { Date() }

    /// Creates a wait.
    public init(path: String, approvals: ApprovalSettings, until: Date) {
        self.path = path
        self.approvals = approvals
        self.until = until
    }

    /// Approvals needed: what `[approvals]` requires, and at least one (a plan that waits for
    /// approval and needs none would be applied unseen).
    public var required: Int { max(1, approvals.required) }

    /// Waits, then applies with `makeApply` (given the plan as approved) or gives up.
    /// - Parameters:
    ///   - audit: the audit log, where the console's approvals and every use are recorded.
    ///   - say: a line for the run's log.
    public func run(
        audit: AuditLog, actor: String, host: String?, say: @Sendable (String) -> Void,
        makeApply: @Sendable (Plan) -> PlanApply
    ) async -> Outcome {
        while true {
            let plan: Plan
            do {
                plan = try Plan.load(path)
                try plan.checkDigest()
            } catch {
                return Outcome(status: .refused, error: "the plan waiting for approval cannot be used: \(error)")
            }
            if let rejection = plan.rejections.first {
                return Outcome(status: .rejected, error: "rejected by \(rejection.by) at \(rejection.at): \(rejection.reason); nothing was sent")
            }
            do {
                if let use = try audit.planUse(plan.id) {
                    if use.state == "rejected" {
                        return Outcome(
                            status: .rejected, error: "rejected by \(use.actor) at \(use.at): \(use.detail ?? "no reason given"); nothing was sent")
                    }
                    return Outcome(status: .refused, error: PlanApply.usedText(plan.id, use))
                }
                let recorded = try audit.recordedApprovals(plan.id, digest: plan.digest)
                let review = plan.reviewApprovals(approvals, recorded: recorded)
                if review.valid.count >= required {
                    say("plan \(plan.id) approved by \(review.valid.joined(separator: ", ")): applying it")
                    return await apply(makeApply(plan), approvedBy: review.valid)
                }
            } catch {
                return Outcome(status: .failed, error: "cannot read the audit log while waiting for approval: \(error); nothing was sent")
            }
            if now() >= until || plan.isExpired(at: now()) {
                let at = Plan.iso(now())
                let detail = "not approved by \(Plan.iso(until)) (\(required) approval\(required == 1 ? "" : "s") needed)"
                _ = try? audit.claimPlan(plan.id, digest: plan.digest, state: "expired", actor: actor, host: host, at: at, runID: nil, detail: detail)
                _ = try? audit.recordPlanEvent(plan.id, AuditLog.PlanEvent(kind: "expired", actor: actor, at: at, digest: plan.digest, detail: detail))
                return Outcome(status: .expired, error: "plan \(plan.id) was \(detail); nothing was sent")
            }
            try? await Task.sleep(for: poll)
        }
    }

    private func apply(_ apply: PlanApply, approvedBy: [String]) async -> Outcome {
        let note = "approved by \(approvedBy.joined(separator: ", "))"
        do {
            try await apply.check()
            let outcome = try await apply.send()
            return Outcome(
                status: outcome.status, applyRunID: outcome.runID, writesSent: outcome.writesSent,
                creditsMoved: outcome.creditsMoved, error: outcome.error, note: "\(note); \(outcome.state), run \(outcome.runID)")
        } catch {
            return Outcome(status: .refused, error: "\(note), but apply refused it: \(error)", note: note)
        }
    }
}
