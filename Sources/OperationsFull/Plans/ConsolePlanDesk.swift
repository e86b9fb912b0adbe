import Console
import Foundation
import NIOPosix
import Operations
import Plans
import RunRecords

/// The console's Plans page over `PlanDesk`: the kept plans with how each stands and its
/// review as `nightshift show` prints it; approvals and rejections recorded as the console
/// user's. The audit log and plan files are read on NIO's thread pool, never on a task's thread.
public struct ConsolePlanDesk: ConsolePlans {
    /// The desk: this host's audit log and `[approvals]`.
    public let desk: PlanDesk
    /// The host rejections are recorded on.
    public let host: String?

    /// Creates one.
    public init(desk: PlanDesk, host: String?) {
        self.desk = desk
        self.host = host
    }

    public func plans(now: Date, limit: Int) async throws -> [ConsolePlan] {
        try await blocking { desk in try desk.entries(now: now, limit: limit).map { try Self.shown($0, desk: desk, now: now) } }
    }

    public func plan(id: String, now: Date) async throws -> ConsolePlan? {
        try await blocking { desk in try desk.entry(id, now: now).map { try Self.shown($0, desk: desk, now: now) } }
    }

    public func approve(id: String, user: String, now: Date) async throws {
        try await blocking { desk in
            do { try desk.approve(id, as: user, now: now) } catch let refusal as PlanRefusal {
                throw ConsolePlanRefusal(refusal.description)
            }
        }
    }

    public func reject(id: String, user: String, reason: String, now: Date) async throws {
        let host = self.host
        try await blocking { desk in
            do { try desk.reject(id, as: user, reason: reason, host: host, now: now) } catch let refusal as PlanRefusal {
                throw ConsolePlanRefusal(refusal.description)
            }
        }
    }

    /// An entry as the page shows it, with the review `nightshift show` would print on this host.
    static func shown(_ entry: PlanDesk.Entry, desk: PlanDesk, now: Date) throws -> ConsolePlan {
        let required = desk.required(for: entry.kept)
        let use = try desk.audit.planUse(entry.kept.id)
        let review = try entry.plan.map { plan in
            // As `nightshift show` reads it, from this host's audit log.
            let recorded = try desk.audit.recordedApprovals(plan.id, digest: plan.digest)
            return plan.text(
                Plan.Standing(
                    intact: plan.computedDigest == plan.digest && plan.digest == entry.kept.digest,
                    expired: entry.state == .expired, used: use.map { PlanApply.usedText(plan.id, $0) },
                    approvals: plan.reviewApprovals(desk.settings, recorded: recorded), required: required))
        }
        return ConsolePlan(
            kept: entry.kept, state: entry.state.rawValue, approvals: entry.approvals, required: required, use: use,
            review: review)
    }

    private func blocking<T: Sendable>(_ body: @escaping @Sendable (PlanDesk) throws -> T) async throws -> T {
        let desk = self.desk
        return try await NIOThreadPool.singleton.runIfActive { try body(desk) }
    }
}
