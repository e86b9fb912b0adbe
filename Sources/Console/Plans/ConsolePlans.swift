import Foundation

/// The plans a host keeps, as the Plans page reads them and its buttons act on them.
/// `ConsoleSetup` wires `PlanDesk` (Sources/Operations/Plans), the code path `nightshift show`,
/// `approve` and `reject` share; an approval made here is recorded in the audit log, tied to
/// the console user (docs/plans.md says what it proves).
public protocol ConsolePlans: Sendable {
    /// The kept plans, newest first, at most `limit`, each with how it stands at `now`.
    func plans(now: Date, limit: Int) async throws -> [ConsolePlan]
    /// Kept plan `id` with how it stands at `now`, or nil when this host keeps no such plan.
    func plan(id: String, now: Date) async throws -> ConsolePlan?
    /// Records `user`'s approval of plan `id`.
    /// - Throws: ``ConsolePlanRefusal`` saying why the plan cannot be approved by `user`.
    func approve(id: String, user: String, now: Date) async throws
    /// Rejects plan `id` as `user`, for `reason`: it can never be applied.
    /// - Throws: ``ConsolePlanRefusal`` saying why the plan cannot be rejected.
    func reject(id: String, user: String, reason: String, now: Date) async throws
}
