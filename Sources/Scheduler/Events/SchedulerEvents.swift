import NightshiftCore

/// What the daemon reports as it works, to observers that must never slow it down: job
/// notifications (`JobNotifier`) and metrics (`SchedulerMetrics`).
///
/// The daemon calls these on its own actor and goes on at once: an observer with work to do
/// (a delivery, a store query) starts a task of its own. The default observer does nothing.
public protocol SchedulerEvents: Sendable {
    /// A run's child started (`run.status` is `running`, `startedAt` set).
    func runStarted(_ run: JobRun, job: Job)
    /// A run ended and its end is in the store (`run.status` is final). `job` is nil when
    /// the job was removed from the file meanwhile. `retrying` says another attempt of the
    /// same slot is queued (the job's `retry`), so the run's failure is not the last word.
    func runFinished(_ run: JobRun, job: Job?, retrying: Bool)
    /// A slot that will not run was recorded `skipped` (overlap or catch-up policy, slots
    /// missed while the daemon was down); `missed` counts the slots that row stands for.
    func slotSkipped(_ run: JobRun, job: Job, missed: Int)
    /// A tick ended (also one that could not reach the store).
    func ticked(_ tick: SchedulerTick)
    /// A run of a job with `approval = "required"` made its plan, which now waits for
    /// approval (`run.status` is `running`). Told once per plan, also across a restart.
    func approvalNeeded(_ run: JobRun, job: Job, request: ApprovalRequest)
}

extension SchedulerEvents {
    /// Observers that do not care about approvals (metrics) ignore them.
    public func approvalNeeded(_ run: JobRun, job: Job, request: ApprovalRequest) {}
}
