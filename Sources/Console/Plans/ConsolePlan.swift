import RunRecords

/// One kept plan as the Plans page shows it.
public struct ConsolePlan: Sendable {
    /// What the audit log keeps of it: id, file, digest, author, times, job, writes, credits.
    public var kept: AuditLog.KeptPlan
    /// How it stands: `waiting`, `approved`, `applied`, `partial`, `rejected`, `expired` or
    /// `unusable` (its file is gone or changed).
    public var state: String
    /// The approvers whose approvals count.
    public var approvals: [String]
    /// How many approvals it needs.
    public var required: Int
    /// How it was used (applied, partly applied, rejected, expired), when it was.
    public var use: AuditLog.PlanUse?
    /// The plan as `nightshift show` prints it (each write with credits before and after and
    /// what it needs, the totals, the approvals, the status); nil when its file cannot be read.
    public var review: String?

    /// Creates one.
    public init(
        kept: AuditLog.KeptPlan, state: String, approvals: [String], required: Int, use: AuditLog.PlanUse?,
        review: String?
    ) {
        self.kept = kept
        self.state = state
        self.approvals = approvals
        self.required = required
        self.use = use
        self.review = review
    }

    /// The states, in the order the page lists them.
    public static let states = ["waiting", "approved", "applied", "partial", "rejected", "expired", "unusable"]

    /// Whether it can still be approved or rejected.
    public var isOpen: Bool { state == "waiting" || state == "approved" }

    /// How it was used, in words: `applied at … on host-a`, `rejected by bob at …: reason`.
    public var usedWords: String? {
        guard let use else { return nil }
        let whereWhen = "at \(use.at)" + (use.host.map { " on \($0)" } ?? "")
        switch use.state {
        case "applied": return "applied \(whereWhen)"
        case "partial": return "partly applied \(whereWhen): \(use.writesSent) writes sent (\(use.detail ?? "it stopped"))"
        case "rejected": return "rejected by \(use.actor) \(whereWhen): \(use.detail ?? "no reason given")"
        case "expired": return "expired unapproved \(whereWhen)"
        default: return "being applied since \(use.at)" + (use.host.map { " on \($0)" } ?? "") + " (or that apply died)"
        }
    }
}
