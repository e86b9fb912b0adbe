import Foundation
import NightshiftConfig
import NightshiftCore
import Operations
import Plans
import RunRecords

/// The plans a host keeps, as a reviewer sees them: how each stands, and approving or
/// rejecting one as a logged-in person rather than with a key (the console). Such an
/// approval is recorded in the audit log, tied to the user, and counts for `apply` when
/// the user is a listed approver and `[approvals] console_approvals` allows it.
public struct PlanDesk: Sendable {
    /// How a kept plan stands.
    public enum State: String, Sendable, CaseIterable {
        /// It needs more approvals, and can still get them.
        case waiting
        /// It has the approvals it needs and was not used yet.
        case approved
        /// It was applied, whole.
        case applied
        /// It was applied in part; it can never be applied again.
        case partial
        /// It was rejected.
        case rejected
        /// Its expiry (or, for a scheduled plan, its wait) passed unused.
        case expired
        /// Its file is gone or changed after it was made: it cannot be applied.
        case unusable
    }

    /// One kept plan and how it stands.
    public struct Entry: Sendable {
        /// The plan as the audit log keeps it.
        public var kept: AuditLog.KeptPlan
        /// How it stands.
        public var state: State
        /// The approvals that count.
        public var approvals: [String]
        /// The file's plan, when it can be read.
        public var plan: (any ReviewedPlan)?
        /// How it was used, in words.
        public var used: String?
    }

    /// The audit log the plans are kept in.
    public let audit: AuditLog
    /// `[approvals]`.
    public let settings: ApprovalSettings

    /// Creates a desk.
    public init(audit: AuditLog, settings: ApprovalSettings) {
        self.audit = audit
        self.settings = settings
    }

    /// The kept plans, newest first, at most `limit`, each with how it stands at `now`.
    public func entries(now: Date, limit: Int = 100) throws -> [Entry] {
        try audit.keptPlans(limit: limit).map { try entry($0, now: now) }
    }

    /// Kept plan `id` and how it stands, or nil.
    public func entry(_ id: String, now: Date) throws -> Entry? {
        try audit.keptPlan(id).map { try entry($0, now: now) }
    }

    private func entry(_ kept: AuditLog.KeptPlan, now: Date) throws -> Entry {
        let plan = try? PlanFile.load(kept.path)
        let recorded = try audit.recordedApprovals(kept.id, digest: kept.digest)
        let approvals = plan?.reviewApprovals(settings, recorded: recorded).valid ?? []
        if let use = try audit.planUse(kept.id) {
            let state: State =
                switch use.state {
                case "applied": .applied
                case "rejected": .rejected
                case "expired": .expired
                default: .partial
                }
            return Entry(kept: kept, state: state, approvals: approvals, plan: plan, used: PlanApply.usedText(kept.id, use))
        }
        guard let plan, plan.digest == kept.digest, plan.computedDigest == plan.digest else {
            return Entry(kept: kept, state: .unusable, approvals: approvals, plan: plan, used: nil)
        }
        if let rejection = plan.rejections.first {
            return Entry(kept: kept, state: .rejected, approvals: approvals, plan: plan, used: "rejected by \(rejection.by): \(rejection.reason)")
        }
        let waitPassed = kept.waitUntil.flatMap(Timestamps.date).map { now >= $0 } ?? false
        if plan.isExpired(at: now) || waitPassed { return Entry(kept: kept, state: .expired, approvals: approvals, plan: plan, used: nil) }
        return Entry(
            kept: kept, state: approvals.count >= required(for: kept) ? .approved : .waiting, approvals: approvals, plan: plan,
            used: nil)
    }

    /// The approvals `kept` needs: `[approvals] required`, and at least one for a plan that
    /// waits for approval (a plan that waits for nobody would be applied unseen).
    public func required(for kept: AuditLog.KeptPlan) -> Int {
        kept.waitUntil == nil ? settings.required : max(1, settings.required)
    }

    /// Records `user`'s approval of plan `id` at its digest: refused when the plan cannot be
    /// approved (not waiting or approved, already approved by `user`), when `user` is not a
    /// listed approver, is its author without self-approval, or console approvals are off.
    public func approve(_ id: String, as user: String, now: Date) throws(PlanRefusal) {
        let entry = try standing(id, now: now)
        guard settings.consoleApprovals else {
            throw PlanRefusal(.approvals, "approvals in the console are off ([approvals] console_approvals = false): approve with nightshift approve \(id) --key KEY")
        }
        guard settings.approver(user) != nil else {
            throw PlanRefusal(.approvals, "\(user) is not an approver in nightshift.toml ([approvals] approvers)")
        }
        if user == entry.kept.author && !settings.selfApproval {
            throw PlanRefusal(.approvals, "\(user) made this plan, and self-approval is off ([approvals] self_approval)")
        }
        if entry.approvals.contains(user) { throw PlanRefusal(.approvals, "\(user) has already approved this plan") }
        do {
            try audit.recordPlanEvent(
                id, AuditLog.PlanEvent(kind: "approved", actor: user, at: Plan.iso(now), digest: entry.kept.digest, detail: "console"))
        } catch {
            throw PlanRefusal(.approvals, "cannot record the approval in the audit log: \(error)")
        }
    }

    /// Rejects plan `id` as `user`: it can never be applied (the claim is the same one
    /// `nightshift reject` makes).
    public func reject(_ id: String, as user: String, reason: String, host: String?, now: Date) throws(PlanRefusal) {
        let entry = try standing(id, now: now)
        let at = Plan.iso(now)
        do {
            guard try audit.claimPlan(id, digest: entry.kept.digest, state: "rejected", actor: user, host: host, at: at, runID: nil, detail: reason)
            else { throw PlanRefusal(.used, "the plan \(id) was used or rejected meanwhile") }
            try audit.recordPlanEvent(id, AuditLog.PlanEvent(kind: "rejected", actor: user, at: at, digest: entry.kept.digest, detail: reason))
        } catch let refusal as PlanRefusal {
            throw refusal
        } catch {
            throw PlanRefusal(.used, "cannot record the rejection in the audit log: \(error)")
        }
    }

    /// Plan `id`, refused unless it is waiting or approved.
    private func standing(_ id: String, now: Date) throws(PlanRefusal) -> Entry {
        let found: Entry?
        do { found = try entry(id, now: now) } catch { throw PlanRefusal(.format, "cannot read the audit log: \(error)") }
        guard let entry = found else { throw PlanRefusal(.format, "no plan \(id) is kept on this host") }
        switch entry.state {
        case .waiting, .approved: return entry
        case .unusable: throw PlanRefusal(.digest, "the plan \(id)'s file is missing or was changed after it was made")
        case .expired: throw PlanRefusal(.expiry, "the plan \(id) has expired")
        case .applied, .partial, .rejected: throw PlanRefusal(.used, entry.used ?? "the plan \(id) was used")
        }
    }
}
