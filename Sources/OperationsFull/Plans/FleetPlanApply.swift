import Foundation
import NightshiftConfig
import NightshiftCore
import PanelAPI
import Plans
import RunRecords
import ScriptRuntime
import SharedRecords

/// `nightshift apply` of a fleet plan: every check of a plan of one panel, for every panel,
/// before anything is sent to any panel. The plan's digest, expiry, single use and approvals
/// once; then each section's panel and key, caps, and the fleet cap; then every panel's
/// preconditions, read at once, every difference named with its panel. Then the plan is
/// claimed once, and each panel's writes go out as a ``PlanApply`` of that section would
/// send them, all panels at once, each a run of its own in the fleet.
public final class FleetPlanApply: Sendable {
    /// One panel to apply a section to.
    public struct Connection: Sendable {
        /// The panel's name, as the section names it.
        public var name: String
        /// Its client (its key, `--concurrency` and `--rate`).
        public var client: PanelClient
        /// Its URL, as the connection names it.
        public var url: String

        /// Creates one.
        public init(name: String, client: PanelClient, url: String) {
            self.name = name
            self.client = client
            self.url = url
        }
    }

    /// How a fleet apply ended.
    public struct Outcome: Sendable {
        /// `applied` (every panel's every write answered yes) or `partial`.
        public var state: String
        /// Each panel's name and outcome, in the plan's order.
        public var panels: [(name: String, outcome: PlanApply.Outcome)]
        /// Writes sent on every panel.
        public var writesSent: Int { panels.reduce(0) { $0 + $1.outcome.writesSent } }
        /// Credits moved on every panel.
        public var creditsMoved: Int { panels.reduce(0) { $0 + $1.outcome.creditsMoved } }

        /// 0 when every panel applied; 4 when any write's outcome is unknown; 1 when every
        /// panel stopped; else 11, some panels did not apply (docs/exit-codes.md).
        public var exitCode: RunExitCode {
            let stopped = panels.filter { $0.outcome.state != "applied" }
            if stopped.isEmpty { return .ok }
            if panels.contains(where: { $0.outcome.status == .outcomeUnknown }) { return .outcomeUnknown }
            return stopped.count == panels.count ? .scriptFailed : .somePanelsFailed
        }
    }

    private let plan: FleetPlan
    private let sections: [(name: String, apply: PlanApply)]
    private let audit: AuditLog
    private let shared: SharedRecordsStore?
    private let approvals: ApprovalSettings
    private let actor: String
    private let now: @Sendable () -> Date
    private let host: String?
    /// The fleet id each panel's apply run is recorded under.
    public let fleetID: String

    /// - Parameter connections: one per section, by the section's name (apply refuses
    ///   before any check when one is missing: ``check()``).
    public init(
        plan: FleetPlan, path: String, connections: [Connection], audit: AuditLog, shared: SharedRecordsStore?,
        approvals: ApprovalSettings, actor: String, host: String?, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.plan = plan
        sections = plan.sections.compactMap { section in
            connections.first { $0.name == section.name }.map { connection in
                (
                    section.name,
                    PlanApply(
                        plan: section.plan, path: path, client: connection.client, panelURL: connection.url, panelName: section.name,
                        audit: audit, shared: shared, approvals: approvals, actor: actor, host: host, now: now)
                )
            }
        }
        self.audit = audit
        self.shared = shared
        self.approvals = approvals
        self.actor = actor
        self.host = host
        self.now = now
        fleetID = RunIdentity.newRunID()
    }

    /// Every panel's apply run, by panel name, in the plan's order.
    public var runs: [(name: String, runID: String)] { sections.map { ($0.name, $0.apply.runID) } }

    /// Every check, for every panel, before anything is sent; throws the first check that
    /// refuses, naming every panel it refuses for.
    public func check() async throws(PlanRefusal) {
        guard sections.count == plan.sections.count else {
            let missing = plan.sections.map(\.name).filter { name in !sections.contains { $0.name == name } }
            throw PlanRefusal(.panel, "no connection to \(missing.joined(separator: ", ")); nothing was sent")
        }
        try plan.checkDigest()
        try plan.checkExpiry(now: now())
        try await PlanApply.checkUnused(plan, audit: audit, shared: shared)
        let recorded: [String]
        do {
            recorded = try audit.recordedApprovals(plan.id, digest: plan.digest)
        } catch {
            throw PlanRefusal(.approvals, "cannot read the plan's approvals from the audit log (\(error)); nothing was sent")
        }
        try plan.checkApprovals(approvals, recorded: recorded)
        try everyPanel(.panel) { (apply) throws(PlanRefusal) in try apply.checkPanel() }
        try everyPanel(.caps) { (apply) throws(PlanRefusal) in try apply.plan.checkCaps() }
        try plan.checkFleetCap()
        let found = await withTaskGroup(of: (Int, Result<[String], PlanRefusal>).self) { group in
            for (index, section) in sections.enumerated() {
                group.addTask {
                    do throws(PlanRefusal) {
                        return (index, .success(try await section.apply.differences()))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var found: [(Int, Result<[String], PlanRefusal>)] = []
            for await item in group { found.append(item) }
            return found.sorted { $0.0 < $1.0 }
        }
        var unread: [String] = []
        var differences: [String] = []
        for (index, result) in found {
            let name = sections[index].name
            switch result {
            case .success(let list): differences += list.map { "  [\(name)] \($0)" }
            case .failure(let refusal): unread.append("[\(name)] \(refusal.description)")
            }
        }
        if !unread.isEmpty { throw PlanRefusal(.preconditions, Self.joined(unread)) }
        guard differences.isEmpty else {
            throw PlanRefusal(
                .preconditions,
                "the panels changed since the plan was made, so its writes would not have the reviewed outcome; nothing was sent to any panel:\n"
                    + differences.joined(separator: "\n") + "\nMake a new plan and have it reviewed")
        }
    }

    /// Claims the plan once, then sends every panel's writes at once, each panel's as a plan
    /// of one panel is sent: a refusal or an unknown outcome stops that panel's writes, and
    /// the plan is then used up (partial); the other panels go on, since they are other
    /// panels' writes, reviewed and checked as they are.
    public func send() async throws(PlanRefusal) -> Outcome {
        let started = Timestamp.iso(now())
        try await PlanApply.claim(plan, actor: actor, host: host, at: started, runID: fleetID, audit: audit, shared: shared)
        let fleetID = self.fleetID
        let results = await withTaskGroup(of: (Int, PlanApply.Outcome?, String?).self) { group in
            for (index, section) in sections.enumerated() {
                group.addTask {
                    do throws(PlanRefusal) {
                        return (index, try await section.apply.sendWrites(started: started, fleet: fleetID), nil)
                    } catch {
                        return (index, nil, error.description)
                    }
                }
            }
            var results: [(Int, PlanApply.Outcome?, String?)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        let panels = results.map { index, outcome, failure in
            let apply = sections[index].apply
            return (
                name: sections[index].name,
                outcome: outcome
                    ?? PlanApply.Outcome(state: "partial", status: .failed, writesSent: 0, creditsMoved: 0, error: failure, runID: apply.runID)
            )
        }
        let outcome = Outcome(state: panels.allSatisfy { $0.outcome.state == "applied" } ? "applied" : "partial", panels: panels)
        let stopped = panels.filter { $0.outcome.error != nil }
        let detail =
            stopped.isEmpty
            ? nil
            : "\(outcome.writesSent) of \(plan.writeCount) writes sent; "
                + stopped.map { "[\($0.name)] \($0.outcome.error ?? "")" }.joined(separator: "; ")
        await PlanApply.finish(
            plan, state: outcome.state, writesSent: outcome.writesSent, detail: detail, actor: actor, at: Timestamp.iso(now()),
            audit: audit, shared: shared)
        return outcome
    }

    /// Runs `check` for every panel; one refusal naming every panel it refused for.
    private func everyPanel(_ kind: PlanRefusal.Check, _ check: (PlanApply) throws(PlanRefusal) -> Void) throws(PlanRefusal) {
        var problems: [String] = []
        for (name, apply) in sections {
            do throws(PlanRefusal) {
                try check(apply)
            } catch {
                problems.append("[\(name)] \(error.description)")
            }
        }
        if !problems.isEmpty { throw PlanRefusal(kind, Self.joined(problems)) }
    }

    /// One refusal's text of several panels' problems, a line each.
    private static func joined(_ problems: [String]) -> String {
        problems.count == 1 ? problems[0] : "for \(problems.count) panels:\n" + problems.map { "  " + $0 }.joined(separator: "\n")
    }
}
