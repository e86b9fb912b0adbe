/// What job notifications and metrics need from a scheduler store beyond claims and
/// history. Both stores (SQLite, PostgreSQL) keep it; `SchedulerStore` requires it.
public protocol ObservationStore {
    /// Records one notification delivery.
    func recordNotification(_ record: NotificationRecord) async throws
    /// Notification deliveries, newest first; all jobs when `job` is nil.
    func notifications(job: String?, limit: Int) async throws -> [NotificationRecord]
    /// The newest run of `job` before the row `id` that ended (any final status but
    /// `skipped`), of another slot: what `recovered` compares a success with. Earlier
    /// attempts of the same slot do not count (their failures were not announced).
    func previousFinishedRun(job: String, before id: Int64) async throws -> JobRun?
    /// When each job's newest successful run ended (seconds since the epoch).
    func lastSuccesses() async throws -> [String: Double]
}
