import GRDB
import NotifyDelivery

extension SQLiteStore: ObservationStore {
    /// The deliveries table; a run's deliveries go when `keep_history` prunes the run.
    static func createNotifications(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE notifications (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    job TEXT NOT NULL,
                    event TEXT NOT NULL,
                    target_kind TEXT NOT NULL,
                    target TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    detail TEXT NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX notifications_by_run ON notifications (run_id);
                CREATE INDEX notifications_by_job ON notifications (job, id);
                """)
    }

    public func recordNotification(_ record: NotificationRecord) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO notifications (run_id, job, event, target_kind, target, outcome, attempts, detail, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.runID, record.job, record.event, record.targetKind.rawValue, record.target,
                    record.outcome.rawValue, record.attempts, record.detail, record.at,
                ])
        }
    }

    public func notifications(job: String?, limit: Int) throws -> [NotificationRecord] {
        try queue.read { db in
            let rows: [Row]
            if let job {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM notifications WHERE job = ? ORDER BY id DESC LIMIT ?", arguments: [job, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM notifications ORDER BY id DESC LIMIT ?", arguments: [limit])
            }
            return rows.map { row in
                NotificationRecord(
                    id: row["id"], runID: row["run_id"], job: row["job"], event: row["event"],
                    targetKind: NotificationRecord.TargetKind(rawValue: row["target_kind"]) ?? .webhook,
                    target: row["target"], outcome: NotifyReceipt.Outcome(rawValue: row["outcome"]) ?? .unknown,
                    attempts: row["attempts"], detail: row["detail"], at: row["at"])
            }
        }
    }

    public func previousFinishedRun(job: String, before id: Int64) throws -> JobRun? {
        try queue.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM runs WHERE job = ? AND id < ? AND status NOT IN ('queued', 'running', 'skipped')
                        AND slot IS NOT (SELECT slot FROM runs WHERE id = ?)
                    ORDER BY id DESC LIMIT 1
                    """, arguments: [job, id, id]
            ).map(Self.record)
        }
    }

    public func lastSuccesses() throws -> [String: Double] {
        try queue.read { db in
            var result: [String: Double] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT job, MAX(finished_at) AS at FROM runs WHERE status = 'succeeded' GROUP BY job")
            {
                if let at: Double = row["at"] { result[row["job"]] = at }
            }
            return result
        }
    }
}
