import Console
import Foundation
import RunRecords

/// Plans with fixed contents, for tests of the Plans page: it approves and rejects as
/// `PlanDesk` would for a listed approver (`abby`, `ada`), refuses anyone else with
/// PlanDesk's words, and remembers every call.
final class FixedPlans: ConsolePlans, @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [ConsolePlan]
    private var calls: [String] = []
    let approvers: Set<String>

    init(_ entries: [ConsolePlan], approvers: Set<String> = ["abby", "ada"]) {
        self.entries = entries
        self.approvers = approvers
    }

    /// A plan in `state`, made by `author`, with `review` as its show text.
    static func plan(
        _ id: String, state: String, author: String = "otto", job: String? = nil, approvals: [String] = [],
        review: String? = "plan p-…\n2 writes:\n  1. resellers.add_credits  deltamedia6 (id 6)  credits 418 -> 668 (+250)\n     needs: credits of id 6 are 418\n\ntotals: 2 writes, 500 credits moved (net +500)"
    ) -> ConsolePlan {
        ConsolePlan(
            kept: AuditLog.KeptPlan(
                id: id, path: "/var/lib/nightshift/plans/\(id).json", digest: "sha256:" + String(repeating: "7d", count: 32),
                author: author, createdAt: "2026-01-01T01:00:00.000Z", expiresAt: "2026-01-02T01:00:00.000Z", waitUntil: nil,
                job: job, slot: nil, writes: 2, credits: 500, panel: "http://127.0.0.1:8000/"),
            state: state, approvals: approvals, required: 1,
            use: state == "applied"
                ? AuditLog.PlanUse(
                    state: "applied", actor: "otto", host: "host-a", at: "2026-01-01T02:00:00.000Z", endedAt: "2026-01-01T02:00:01.000Z",
                    runID: "r-apply", writesSent: 2, detail: nil)
                : nil,
            review: review)
    }

    func plans(now: Date, limit: Int) async throws -> [ConsolePlan] {
        lock.withLock { Array(entries.prefix(limit)) }
    }

    func plan(id: String, now: Date) async throws -> ConsolePlan? {
        lock.withLock { entries.first { $0.kept.id == id } }
    }

    func approve(id: String, user: String, now: Date) async throws {
        try lock.withLock {
            calls.append("approve \(id) \(user)")
            guard approvers.contains(user) else {
                throw ConsolePlanRefusal("\(user) is not an approver in nightshift.toml ([approvals] approvers)")
            }
            guard let index = entries.firstIndex(where: { $0.kept.id == id }), entries[index].isOpen else {
                throw ConsolePlanRefusal("the plan \(id) was applied at 2026-01-01T02:00:00.000Z")
            }
            entries[index].approvals.append(user)
            entries[index].state = "approved"
        }
    }

    func reject(id: String, user: String, reason: String, now: Date) async throws {
        try lock.withLock {
            calls.append("reject \(id) \(user) \(reason)")
            guard let index = entries.firstIndex(where: { $0.kept.id == id }), entries[index].isOpen else {
                throw ConsolePlanRefusal("the plan \(id) was applied at 2026-01-01T02:00:00.000Z")
            }
            entries[index].state = "rejected"
        }
    }

    var recorded: [String] { lock.withLock { calls } }
}
