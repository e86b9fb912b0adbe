/// Observes nothing: the daemon's default.
public struct NoSchedulerEvents: SchedulerEvents {
    /// Creates it.
    public init() {}
    public func runStarted(_ run: RunRecord, job: Job) {}
    public func runFinished(_ run: RunRecord, job: Job?, retrying: Bool) {}
    public func slotSkipped(_ run: RunRecord, job: Job, missed: Int) {}
    public func ticked(_ tick: SchedulerTick) {}
}
