import NightshiftCore

extension JobRun {
    /// For a running run of a job with `approval = "required"` whose plan is made: the plan
    /// waiting for approval, read beside the run's receipt (on the host that runs it).
    public var approvalRequest: ApprovalRequest? {
        guard status == .running, let log else { return nil }
        return ApprovalRequest.read(receipt: SchedulerDaemon.receiptPath(log: log))
    }

    /// The status as `history` and `jobs pending` show it: `awaiting approval` for a run whose
    /// plan waits for approval, else the status.
    public var statusText: String { approvalRequest == nil ? status.rawValue : "awaiting approval" }

    /// The reason as `history` shows it: for a plan waiting, which plan and until when.
    public var reasonText: String {
        if let request = approvalRequest { return "plan \(request.planID) (\(request.summary)) until \(request.waitUntil)" }
        return reason ?? ""
    }
}
