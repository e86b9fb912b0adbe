import Foundation
import NightshiftCore
import Operations
import Plans
import RunRecords

/// Where plans are kept: a plan's file (by default in the state folder's `plans/`), and
/// its row in the audit log, by which `nightshift approve ID`, `jobs pending` and the
/// console find it.
public enum PlanKeeping {
    /// `STATE/plans/ID.json`, the folder made owner-only if it is missing.
    public static func defaultPath(id: String, stateDirectory: String) throws(PlanRefusal) -> String {
        let folder = stateDirectory + "/plans"
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw PlanRefusal(.format, "cannot make \(folder) for the plan: \(error.localizedDescription); give --out FILE")
        }
        return folder + "/\(id).json"
    }

    /// Records `plan`, written at `path`, in `audit`.
    /// - Parameters:
    ///   - waitUntil: until when it waits for approval (`--await-approval`), if it does.
    ///   - job: the scheduled job it was made for, and its slot.
    public static func keep(_ plan: any ReviewedPlan, path: String, waitUntil: Date?, job: String?, slot: Int64?, audit: AuditLog) throws {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        try audit.keep(
            AuditLog.KeptPlan(
                id: plan.id, path: absolute, digest: plan.digest, author: plan.author, createdAt: plan.createdAt,
                expiresAt: plan.expiresAt, waitUntil: waitUntil.map(Plan.iso), job: job, slot: slot, writes: plan.writeCount,
                credits: plan.creditsMoved, panel: plan.panelDescription))
        try audit.recordPlanEvent(
            plan.id, AuditLog.PlanEvent(kind: "made", actor: plan.author, at: plan.createdAt, digest: plan.digest, detail: job.map { "job \($0)" }))
    }

    /// The file of plan `reference`: the reference itself when it is a file, else the file
    /// the audit log keeps for that plan id.
    public static func file(_ reference: String, audit: () throws -> AuditLog) throws -> String {
        if FileManager.default.fileExists(atPath: reference) { return reference }
        guard !reference.contains("/"), let kept = try audit().keptPlan(reference) else {
            throw PlanRefusal(.format, "\(reference) is neither a plan file nor the id of a plan this host made (nightshift jobs pending lists those waiting)")
        }
        return kept.path
    }
}
