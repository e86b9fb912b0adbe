import Foundation
import NightshiftConfig
import ScriptAPI

extension Plan {
    /// How a plan stands, for `show`: as `apply` would find it, without reading the panel.
    public struct Standing: Sendable {
        /// Whether its content matches its digest.
        public var intact: Bool
        /// Whether it has expired.
        public var expired: Bool
        /// How it was used, in words (`applied at ... on host-a`), if it was.
        public var used: String?
        /// The approvals that count, and why others do not.
        public var approvals: ApprovalReview
        /// How many it needs.
        public var required: Int

        /// Creates one.
        public init(intact: Bool, expired: Bool, used: String?, approvals: ApprovalReview, required: Int) {
            self.intact = intact
            self.expired = expired
            self.used = used
            self.approvals = approvals
            self.required = required
        }
    }

    /// The plan for a reviewer: each write with credits before and after, the totals, what
    /// each write depends on, the approvals, and whether it is stale, expired or used.
    public func text(_ standing: Standing) -> String {
        var lines: [String] = []
        lines.append("plan \(id)  \(digest)")
        lines.append("made by \(author) at \(createdAt); expires at \(expiresAt)")
        lines.append("panel \(panel.url) (key \(panel.keyFingerprint.prefix(19))...)")
        lines += Self.scriptLines(script, modules: modules, arguments: arguments)
        lines.append(Self.grantLine(grant))
        lines.append(Self.bindingLine(binding))
        lines.append("")
        lines += Self.writeLines(writes)
        lines.append("")
        lines.append("totals: \(writes.count) writes, \(creditsMoved) credits moved (net \(netCreditChange > 0 ? "+" : "")\(netCreditChange))")
        if binding == .reads { lines.append(Self.boundReadsLine(reads)) }
        lines += standingLines(standing)
        return lines.joined(separator: "\n")
    }

    /// Each write, numbered, with its credits before and after and what it needs.
    static func writeLines(_ writes: [PlannedWrite], indent: String = "") -> [String] {
        var lines = ["\(indent)\(writes.count) write\(writes.count == 1 ? "" : "s"):"]
        for (index, write) in writes.enumerated() {
            var line = "\(indent)  \(index + 1). \(write.endpoint)  \(write.label)"
            if write.creditsBefore == nil, let after = write.creditsAfter {
                line += "  credits \(after) (new)"
            } else if let before = write.creditsBefore, let after = write.creditsAfter {
                line += "  credits \(before) -> \(after) (\(write.creditChange > 0 ? "+" : "")\(write.creditChange))"
            } else if write.creditChange != 0 {
                line += "  credits \(write.creditChange > 0 ? "+" : "")\(write.creditChange)"
            }
            if !write.fieldChanges.isEmpty { line += "  " + write.fieldChanges.joined(separator: ", ") }
            if let location = write.location { line += "  [\(location)]" }
            lines.append(line)
            if write.preconditions.isEmpty {
                lines.append("\(indent)     depends on nothing it read")
            } else {
                lines.append("\(indent)     needs: " + write.preconditions.map(Self.describe).joined(separator: "; "))
            }
        }
        return lines
    }

    /// `bound reads: 2 (14 records)`.
    static func boundReadsLine(_ reads: [BoundRead]) -> String {
        let records = reads.reduce(0) { $0 + ($1.records?.count ?? 1) }
        return "bound reads: \(reads.count) (\(records) record\(records == 1 ? "" : "s"))"
    }

    /// `script topup.lua (sha256 ...)  args k=v`, and a line per module.
    static func scriptLines(_ script: Content, modules: [Content], arguments: [Argument]) -> [String] {
        var lines = [
            "script \(script.path) (sha256 \(script.sha256.prefix(12))...)"
                + (arguments.isEmpty ? "" : "  args " + arguments.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        ]
        for module in modules { lines.append("  module \(module.path) (sha256 \(module.sha256.prefix(12))...)") }
        return lines
    }

    /// `grant allow ...; max credits N`.
    static func grantLine(_ grant: GrantRecord) -> String {
        "grant allow \(grant.allow.joined(separator: ", ")); max credits \(grant.maxCredits)"
            + (grant.maxCreditsPerReseller.map { " (\($0) per reseller)" } ?? "")
    }

    /// `bound to ...`.
    static func bindingLine(_ binding: Binding) -> String {
        "bound to \(binding == .reads ? "every record it read, and its writes' targets" : "its writes' targets")"
    }

    /// A precondition in words: `id 7 exists`, `credits of id 7 are 418`.
    static func describe(_ precondition: Precondition) -> String {
        let record = precondition.record.description
        switch precondition.expectation {
        case .exists: return "\(record) exists"
        case .absent: return "no reseller has \(record)"
        case .equals(let field, let value): return "\(field) of \(record) \(field.hasSuffix("s") ? "are" : "is") \(value)"
        }
    }
}

extension ReviewedPlan {
    /// The approvals that count and why others do not, then whether it can be applied.
    func standingLines(_ standing: Plan.Standing) -> [String] {
        var lines: [String] = []
        let valid = standing.approvals.valid
        lines.append(
            "approvals: \(valid.count) of \(standing.required) needed" + (valid.isEmpty ? "" : " (\(valid.joined(separator: ", ")))"))
        for approval in approvals where valid.contains(approval.approver) { lines.append("  approved by \(approval.approver) at \(approval.at)") }
        for problem in standing.approvals.problems { lines.append("  does not count: \(problem)") }
        var status: [String] = []
        if !standing.intact { status.append("CHANGED AFTER IT WAS MADE: its content does not match its digest; apply refuses it") }
        if standing.expired { status.append("EXPIRED: apply refuses it") }
        if let used = standing.used { status.append("USED: \(used)") }
        for rejection in rejections { status.append("REJECTED by \(rejection.by) at \(rejection.at): \(rejection.reason)") }
        lines.append(status.isEmpty ? "status: can be applied (the panel is checked when it is)" : "status: " + status.joined(separator: "; "))
        return lines
    }
}
