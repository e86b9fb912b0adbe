import NightshiftCore

/// Several observers, each told every event in order.
public struct SchedulerEventFanOut: SchedulerEvents {
    /// The observers.
    public var observers: [any SchedulerEvents]

    /// Creates a fan-out.
    public init(_ observers: [any SchedulerEvents]) { self.observers = observers }

    public func runStarted(_ run: JobRun, job: Job) { for o in observers { o.runStarted(run, job: job) } }
    public func runFinished(_ run: JobRun, job: Job?, retrying: Bool) {
        for o in observers { o.runFinished(run, job: job, retrying: retrying) }
    }
    public func slotSkipped(_ run: JobRun, job: Job, missed: Int) {
        for o in observers { o.slotSkipped(run, job: job, missed: missed) }
    }
    public func ticked(_ tick: SchedulerTick) { for o in observers { o.ticked(tick) } }
    public func approvalNeeded(_ run: JobRun, job: Job, request: ApprovalRequest) {
        for o in observers { o.approvalNeeded(run, job: job, request: request) }
    }
}
