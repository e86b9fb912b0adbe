import NotifyDelivery
import PostgresNIO

extension PostgresStore: ObservationStore {
    /// The deliveries table. Created with IF NOT EXISTS on every start, in the migration's
    /// transaction, so it does not take a schema version number of its own; a run's
    /// deliveries go when `keep_history` prunes the run.
    static let notificationSchema = [
        """
        CREATE TABLE IF NOT EXISTS nightshift_notifications (
            id bigserial PRIMARY KEY,
            run_id bigint NOT NULL REFERENCES nightshift_runs (id) ON DELETE CASCADE,
            job text NOT NULL,
            event text NOT NULL,
            target_kind text NOT NULL,
            target text NOT NULL,
            outcome text NOT NULL,
            attempts integer NOT NULL,
            detail text NOT NULL,
            at double precision NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS nightshift_notifications_by_run ON nightshift_notifications (run_id)",
        "CREATE INDEX IF NOT EXISTS nightshift_notifications_by_job ON nightshift_notifications (job, id)",
    ]

    public func recordNotification(_ record: NotificationRecord) async throws {
        try await execute(
            """
            INSERT INTO nightshift_notifications (run_id, job, event, target_kind, target, outcome, attempts, detail, at)
            VALUES (\(record.runID), \(record.job), \(record.event), \(record.targetKind.rawValue), \(record.target),
                \(record.outcome.rawValue), \(record.attempts), \(record.detail), \(record.at))
            """)
    }

    public func notifications(job: String?, limit: Int) async throws -> [NotificationRecord] {
        let rows: [PostgresRandomAccessRow]
        if let job {
            rows = try await self.rows(
                "SELECT * FROM nightshift_notifications WHERE job = \(job) ORDER BY id DESC LIMIT \(limit)")
        } else {
            rows = try await self.rows("SELECT * FROM nightshift_notifications ORDER BY id DESC LIMIT \(limit)")
        }
        return try rows.map { row in
            NotificationRecord(
                id: try row["id"].decode(Int64.self), runID: try row["run_id"].decode(Int64.self),
                job: try row["job"].decode(String.self), event: try row["event"].decode(String.self),
                targetKind: NotificationRecord.TargetKind(rawValue: try row["target_kind"].decode(String.self)) ?? .webhook,
                target: try row["target"].decode(String.self),
                outcome: NotifyReceipt.Outcome(rawValue: try row["outcome"].decode(String.self)) ?? .unknown,
                attempts: try row["attempts"].decode(Int.self), detail: try row["detail"].decode(String.self),
                at: try row["at"].decode(Double.self))
        }
    }

    public func previousFinishedRun(job: String, before id: Int64) async throws -> JobRun? {
        let rows = try await rows(
            """
            SELECT * FROM nightshift_runs WHERE job = \(job) AND id < \(id)
                AND status NOT IN ('queued', 'running', 'skipped')
                AND slot IS DISTINCT FROM (SELECT slot FROM nightshift_runs WHERE id = \(id))
            ORDER BY id DESC LIMIT 1
            """)
        return try rows.first.map(record)
    }

    public func lastSuccesses() async throws -> [String: Double] {
        var result: [String: Double] = [:]
        for row in try await rows(
            "SELECT job, MAX(finished_at) AS at FROM nightshift_runs WHERE status = 'succeeded' GROUP BY job")
        {
            if let at = try row["at"].decode(Double?.self) { result[try row["job"].decode(String.self)] = at }
        }
        return result
    }
}
