import Crypto
import Foundation
import NightshiftConfig
import NightshiftCore
import PanelAPI
import ScriptAPI

/// Why a plan is not applied (or approved). Every refusal names what is wrong and, where
/// there is one, what to do; nothing has been sent when one is thrown.
public struct PlanRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which check refused it, in the order `apply` checks them.
    public enum Check: String, Sendable, Equatable {
        /// The file is not a plan this version reads (cut off, edited into invalid JSON,
        /// duplicate keys, unknown fields or schema version, too large).
        case format
        /// Its content does not match its digest.
        case digest
        /// Its expiry has passed.
        case expiry
        /// It was applied (whole or in part) or rejected before.
        case used
        /// The approvals it needs are missing, forged, by an unknown key or by its author.
        case approvals
        /// Another panel or another key than it was made for.
        case panel
        /// What its writes were planned against has changed.
        case preconditions
        /// Its writes pass the caps it records.
        case caps
    }

    /// Which check refused.
    public let check: Check
    /// What is wrong and what to do.
    public let description: String

    /// Creates a refusal.
    public init(_ check: Check, _ description: String) {
        self.check = check
        self.description = description
    }
}

extension Plan {
    /// Reads a plan file of one panel, refusing one that is too large, not a plan, or a
    /// fleet's plan (``PlanRefusal/Check/format``).
    public static func load(_ path: String) throws(PlanRefusal) -> Plan {
        guard let plan = try PlanFile.load(path) as? Plan else {
            throw PlanRefusal(.format, "\(path) is a fleet plan (--panels): apply it with nightshift apply, which checks every panel")
        }
        return plan
    }
}

/// What review, approval and the single-use check need of a plan file, whether it is one
/// panel's ``Plan`` or a ``FleetPlan`` of several: an id, an author, times, a digest over
/// its content, and the approvals and rejections outside the digest.
public protocol ReviewedPlan: Sendable {
    /// The single-use id.
    var id: String { get }
    /// When it was made (ISO 8601, UTC).
    var createdAt: String { get }
    /// When it expires (ISO 8601, UTC).
    var expiresAt: String { get }
    /// Who made it.
    var author: String { get }
    /// The digest it says it has.
    var digest: String { get }
    /// The digest of its content as it is now.
    var computedDigest: String { get }
    /// What an approver signs: the digest, with the format's name.
    var signedMessage: [UInt8] { get }
    /// Signatures of approvers over the digest.
    var approvals: [Plan.Approval] { get set }
    /// Rejections, with their reasons.
    var rejections: [Plan.Rejection] { get set }
    /// How many writes it holds (every panel's, for a fleet).
    var writeCount: Int { get }
    /// Credits its writes move in all, counted as caps count them.
    var creditsMoved: Int { get }
    /// The panel it is for, or the fleet's panels, as the audit log keeps it.
    var panelDescription: String { get }
    /// The plan for a reviewer (`nightshift show`, the console).
    func text(_ standing: Plan.Standing) -> String
    /// Writes the file whole or not at all.
    func write(to path: String, replacing: Bool) throws(PlanRefusal)
}

/// Reading a plan file of either kind.
public enum PlanFile {
    /// The plan in `path`: a ``FleetPlan`` when the file says `"kind": "fleet"`, else a
    /// ``Plan``; refused (``PlanRefusal/Check/format``) when it is too large or not a plan.
    public static func load(_ path: String) throws(PlanRefusal) -> any ReviewedPlan {
        let bytes: [UInt8]
        do {
            bytes = try FileRead.bytes(path, what: "the plan file", limit: Plan.maximumFileSize)
        } catch {
            throw PlanRefusal(.format, error.description)
        }
        do {
            let root = try Plan.parse(bytes)
            if case .object(let object) = root, object["kind"] == .string("fleet") { return try FleetPlan(document: root) }
            return try Plan(document: root, at: "plan")
        } catch {
            throw PlanRefusal(.format, "\(path): \(error)")
        }
    }
}

extension Plan {
    /// One approval looked at against `[approvals]`.
    public struct ApprovalReview: Sendable, Equatable {
        /// The approvals that count: configured approvers, signature valid, not the author
        /// (unless self-approval is on), each approver once.
        public var valid: [String]
        /// Why each other approval does not count.
        public var problems: [String]

        /// Counts `name`'s approval unless it is the author's (and self-approval is off) or
        /// `name` was counted already.
        mutating func count(_ name: String, author: String, settings: ApprovalSettings) {
            if name == author && !settings.selfApproval {
                problems.append("\(name) made this plan and self-approval is off ([approvals] self_approval)")
            } else if !valid.contains(name) {
                valid.append(name)
            }
        }
    }
}

extension Plan: ReviewedPlan {
    public var writeCount: Int { writes.count }
    public var panelDescription: String { panel.url }
}

extension ReviewedPlan {
    /// The first check: the content is the content that was digested.
    public func checkDigest() throws(PlanRefusal) {
        let actual = computedDigest
        guard actual == digest else {
            throw PlanRefusal(
                .digest,
                "the plan was changed after it was made: it says its digest is \(digest), its content's is \(actual); nothing was sent. Make the plan again (nightshift plan) and have it reviewed")
        }
    }

    /// Whether it has expired at `now`.
    public func isExpired(at now: Date) -> Bool {
        guard let expiry = Timestamps.date(expiresAt) else { return true }
        return now >= expiry
    }

    /// The second check: it has not expired.
    public func checkExpiry(now: Date) throws(PlanRefusal) {
        guard Timestamps.date(expiresAt) != nil else {
            throw PlanRefusal(.format, "plan.expires_at '\(expiresAt)' is not a time")
        }
        if isExpired(at: now) {
            throw PlanRefusal(.expiry, "the plan expired at \(expiresAt) (made at \(createdAt)); nothing was sent. Make it again")
        }
    }

    // MARK: Approvals

    /// What the approvals are worth under `settings`: the signatures in the file, and
    /// `recorded`, the approvals the audit log holds for this plan's digest (the console's,
    /// tied to the logged-in user, not signed), which count only when `[approvals]
    /// console_approvals` allows them and name a listed approver.
    public func reviewApprovals(_ settings: ApprovalSettings, recorded: [String] = []) -> Plan.ApprovalReview {
        var review = Plan.ApprovalReview(valid: [], problems: [])
        let message = signedMessage
        for approval in approvals {
            guard let approver = settings.approver(approval.approver) else {
                review.problems.append("\(approval.approver) is not an approver in nightshift.toml ([approvals])")
                continue
            }
            guard let signature = Data(base64Encoded: approval.signature),
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: approver.publicKey),
                key.isValidSignature(signature, for: message)
            else {
                review.problems.append(
                    "\(approval.approver)'s signature does not verify for this plan (it was made for another plan, or the plan was changed after it was signed)")
                continue
            }
            review.count(approval.approver, author: author, settings: settings)
        }
        for name in recorded {
            guard settings.consoleApprovals else {
                review.problems.append("\(name) approved in the console, and [approvals] console_approvals = false")
                continue
            }
            guard settings.approver(name) != nil else {
                review.problems.append("\(name) approved in the console but is not an approver in nightshift.toml ([approvals])")
                continue
            }
            review.count(name, author: author, settings: settings)
        }
        return review
    }

    /// The approvals check: at least `settings.required` approvals count.
    public func checkApprovals(_ settings: ApprovalSettings, recorded: [String] = []) throws(PlanRefusal) {
        let review = reviewApprovals(settings, recorded: recorded)
        guard review.valid.count < settings.required else { return }
        var text = "the plan needs \(settings.required) approval\(settings.required == 1 ? "" : "s") and has \(review.valid.count)"
        if !review.valid.isEmpty { text += " (\(review.valid.joined(separator: ", ")))" }
        if !review.problems.isEmpty { text += "; " + review.problems.joined(separator: "; ") }
        text += "; nothing was sent. An approver runs: nightshift approve PLAN --key THEIR.key"
        throw PlanRefusal(.approvals, text)
    }

    /// Adds the signature of the approver whose key `key` is (found in `settings` by its
    /// public key) over the digest. Refuses a plan whose digest does not match its content,
    /// a key no approver has, an approver who already approved, and the author when
    /// self-approval is off.
    /// - Returns: the approver's name.
    @discardableResult
    public mutating func approve(with key: Curve25519.Signing.PrivateKey, settings: ApprovalSettings, at time: String)
        throws(PlanRefusal) -> String
    {
        try checkDigest()
        let publicKey = Array(key.publicKey.rawRepresentation)
        guard let approver = settings.approvers.first(where: { $0.publicKey == publicKey }) else {
            throw PlanRefusal(
                .approvals,
                "this key belongs to no approver in nightshift.toml ([approvals]); its public key is \(PlanKeys.publicKey(of: key))")
        }
        if approver.name == author && !settings.selfApproval {
            throw PlanRefusal(.approvals, "\(approver.name) made this plan, and self-approval is off ([approvals] self_approval)")
        }
        if approvals.contains(where: { $0.approver == approver.name }) {
            throw PlanRefusal(.approvals, "\(approver.name) has already approved this plan")
        }
        let signature: Data
        do {
            signature = try key.signature(for: signedMessage)
        } catch {
            throw PlanRefusal(.approvals, "cannot sign: \(error)")
        }
        approvals.append(Plan.Approval(approver: approver.name, at: time, signature: signature.base64EncodedString()))
        return approver.name
    }

}

extension Plan {
    // MARK: Panel and caps

    /// The panel check: the same URL, and a key with the same fingerprint.
    public func checkPanel(url: String, keyFingerprint: String) throws(PlanRefusal) {
        guard url == panel.url else {
            throw PlanRefusal(.panel, "the plan was made for the panel \(panel.url), not \(url); nothing was sent")
        }
        guard keyFingerprint == panel.keyFingerprint else {
            throw PlanRefusal(
                .panel,
                "the plan was made with another API key (fingerprint \(panel.keyFingerprint.prefix(19))..., this one \(keyFingerprint.prefix(19))...); nothing was sent")
        }
    }

    /// The caps the plan records hold for its writes together.
    public func checkCaps() throws(PlanRefusal) {
        var ledger = CreditLedger(
            grant: Grant(allowed: [], maxCredits: grant.maxCredits, maxCreditsPerReseller: grant.maxCreditsPerReseller))
        for (index, write) in writes.enumerated() {
            do {
                try ledger.check(write.creditChange, reseller: write.creditAccount)
            } catch {
                throw PlanRefusal(.caps, "write \(index + 1) (\(write.endpoint) \(write.label)): \(error); nothing was sent")
            }
            ledger.commit(write.creditChange, reseller: write.creditAccount)
        }
        for write in writes where !grant.allow.contains(write.function) && !grant.allow.contains(write.function.split(separator: ".")[0] + ".*") {
            throw PlanRefusal(.caps, "\(write.function) is not in the plan's grant; nothing was sent")
        }
    }

    /// `sha256:` and the hex SHA-256 of an API key: what a plan records of it.
    public static func fingerprint(of key: String) -> String { "sha256:" + ContentHash.sha256(Array(key.utf8)) }
}

/// ISO 8601 times as plans write them (UTC, milliseconds).
public enum Timestamps {
    /// The instant of `text`, or nil.
    public static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
