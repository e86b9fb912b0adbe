import Foundation
import NightshiftCore

extension SchedulerDaemon {
    /// Tells the job's notification targets, once, that `run`'s plan waits for approval:
    /// when its child (`nightshift plan --await-approval`) has left the approval request
    /// beside its receipt. A file beside the request marks it told, so a daemon restarted
    /// meanwhile does not tell it twice.
    func announceApproval(of run: ActiveRun, job: Job) {
        guard job.approval, let receipt = run.receipt else { return }
        let told = ApprovalRequest.path(receipt: receipt) + ".told"
        guard !FileManager.default.fileExists(atPath: told), let request = ApprovalRequest.read(receipt: receipt) else { return }
        PrivateFiles.createFile(told)
        logger.info(
            "plan waits for approval", metadata: ["job": "\(job.name)", "slot": "\(run.slot)", "plan": "\(request.planID)"])
        events.approvalNeeded(
            JobRun(
                id: run.id, job: job.name, slot: run.slot, kind: run.kind, status: .running,
                reason: "awaiting approval: plan \(request.planID) until \(request.waitUntil)", startedAt: run.startedAt,
                pid: run.child.pid, log: run.log, host: store.host, attempt: run.attempt),
            job: job, request: request)
    }
}
