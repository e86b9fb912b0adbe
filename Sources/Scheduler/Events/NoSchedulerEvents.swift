/// Observes nothing: the daemon's default.
public struct NoSchedulerEvents: SchedulerEvents {
    /// Creates it.
    public init() {}
    public func runStarted(_ run: JobRun, job: Job) {}
    public func runFinished(_ run: JobRun, job: Job?, retrying: Bool) {}
    public func slotSkipped(_ run: JobRun, job: Job, missed: Int) {}
    public func ticked(_ tick: SchedulerTick) {}
}
