import Foundation

/// What a run that waits for approval (`nightshift plan --await-approval`, as the scheduler
/// starts a job with `approval = "required"`) leaves beside its receipt once its plan is
/// made: the daemon reads it to send the job's `approval-needed` notification, and
/// `history` to show the run as awaiting approval.
public struct ApprovalRequest: Sendable, Hashable, Codable {
    /// The plan's single-use id.
    public var planID: String
    /// Its digest (`sha256:…`).
    public var digest: String
    /// Its file.
    public var path: String
    /// Its number of writes.
    public var writes: Int
    /// The credits they move (sum of absolute changes).
    public var credits: Int
    /// Until when it waits (ISO 8601, UTC).
    public var waitUntil: String
    /// One line for people: what the plan does.
    public var summary: String

    /// Creates one.
    public init(planID: String, digest: String, path: String, writes: Int, credits: Int, waitUntil: String, summary: String) {
        self.planID = planID
        self.digest = digest
        self.path = path
        self.writes = writes
        self.credits = credits
        self.waitUntil = waitUntil
        self.summary = summary
    }

    private enum CodingKeys: String, CodingKey {
        case planID = "plan_id", digest, path, writes, credits, waitUntil = "wait_until", summary
    }

    /// Where it is kept for the receipt at `receipt`.
    public static func path(receipt: String) -> String { receipt + ".plan" }

    /// Writes it beside the receipt at `receipt`, whole or not at all, owner-only.
    public func write(receipt: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let target = Self.path(receipt: receipt)
        let temporary = target + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: try encoder.encode(self), attributes: [.posixPermissions: 0o600])
        else { throw RunReceipt.WriteError(path: temporary, reason: String(cString: strerror(errno))) }
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw RunReceipt.WriteError(path: target, reason: reason)
        }
    }

    /// The request beside the receipt at `receipt`, or nil when there is none (the run
    /// waits for nothing, or has not made its plan yet).
    public static func read(receipt: String) -> ApprovalRequest? {
        guard let data = FileManager.default.contents(atPath: path(receipt: receipt)) else { return nil }
        return try? JSONDecoder().decode(ApprovalRequest.self, from: data)
    }
}
