import Foundation
import GRDB

/// Job state and run history in SQLite. A unique key on (job, slot) means a slot is
/// claimed once, so it runs at most once across restarts and crashes; the daemon claims a
/// slot (commits the row) before it starts the child.
public final class RunStore: Sendable {
    private let queue: DatabaseQueue

    /// Opens (creating if needed) the state file at `path`.
    /// - Throws: an error naming the file if it cannot be opened or migrated.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.journalMode = .wal
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw ConfigurationError("\(path): cannot open the scheduler state: \(error)")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE job_state (
                        job TEXT PRIMARY KEY NOT NULL,
                        cursor INTEGER NOT NULL,
                        paused INTEGER
                    );
                    CREATE TABLE runs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        job TEXT NOT NULL,
                        slot INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        status TEXT NOT NULL,
                        reason TEXT,
                        started_at REAL,
                        finished_at REAL,
                        exit_code INTEGER,
                        signal INTEGER,
                        pid INTEGER,
                        pid_start TEXT,
                        log TEXT,
                        UNIQUE (job, slot)
                    );
                    CREATE INDEX runs_by_status ON runs (status);
                    CREATE TABLE triggers (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        job TEXT NOT NULL,
                        requested_at INTEGER NOT NULL
                    );
                    """)
        }
        return migrator
    }

    // MARK: Job state

    /// The last slot the daemon has dealt with for each job (its watermark).
    public func cursors() throws -> [String: Int64] {
        try queue.read { db in
            var result: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT job, cursor FROM job_state") {
                result[row["job"]] = row["cursor"]
            }
            return result
        }
    }

    /// Moves a job's watermark.
    public func setCursor(_ cursor: Int64, job: String) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO job_state (job, cursor) VALUES (?, ?)
                    ON CONFLICT (job) DO UPDATE SET cursor = excluded.cursor
                    """, arguments: [job, cursor])
        }
    }

    /// Pause overrides set with `nightshift jobs pause|resume`; absent means the file decides.
    public func pausedOverrides() throws -> [String: Bool] {
        try queue.read { db in
            var result: [String: Bool] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT job, paused FROM job_state WHERE paused IS NOT NULL") {
                result[row["job"]] = row["paused"]
            }
            return result
        }
    }

    /// Pauses or resumes a job until the next pause/resume, whatever its file says.
    /// A job the daemon has not seen yet gets its watermark at `now`.
    public func setPaused(_ paused: Bool, job: String, now: Int64) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO job_state (job, cursor, paused) VALUES (?, ?, ?)
                    ON CONFLICT (job) DO UPDATE SET paused = excluded.paused
                    """, arguments: [job, now, paused])
        }
    }

    // MARK: Runs

    /// Claims a slot with a first status. Returns the row id, or nil if the slot was
    /// claimed before (by this daemon or an earlier one).
    public func claim(job: String, slot: Int64, kind: RunKind, status: RunStatus, reason: String? = nil) throws -> Int64? {
        try queue.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO runs (job, slot, kind, status, reason) VALUES (?, ?, ?, ?, ?)",
                arguments: [job, slot, kind.rawValue, status.rawValue, reason])
            return db.changesCount == 1 ? db.lastInsertedRowID : nil
        }
    }

    /// Claims a manual slot at or just after `requested`: the first free second.
    public func claimManual(job: String, requested: Int64) throws -> (id: Int64, slot: Int64) {
        var slot = requested
        while true {
            if let id = try claim(job: job, slot: slot, kind: .manual, status: .queued) { return (id, slot) }
            slot += 1
        }
    }

    /// Records that a claimed run's child started.
    public func markStarted(id: Int64, at time: Double, pid: Int32, pidStart: String?, log: String?) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE runs SET status = 'running', started_at = ?, pid = ?, pid_start = ?, log = ? WHERE id = ?",
                arguments: [time, pid, pidStart, log, id])
        }
    }

    /// Records how a run ended.
    public func finish(
        id: Int64, status: RunStatus, at time: Double, exitCode: Int32? = nil, signal: Int32? = nil, reason: String? = nil
    ) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE runs SET status = ?, finished_at = ?, exit_code = ?, signal = ?,
                        reason = COALESCE(?, reason) WHERE id = ?
                    """, arguments: [status.rawValue, time, exitCode, signal, reason, id])
        }
    }

    /// Runs left queued or running by a daemon that is gone, with the recorded process
    /// identity so that an orphaned child can be found.
    public func unfinishedRuns() throws -> [(record: RunRecord, pidStart: String?)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs WHERE status IN ('queued', 'running') ORDER BY id")
                .map { (Self.record($0), $0["pid_start"]) }
        }
    }

    /// History, newest first; all jobs when `job` is nil.
    public func history(job: String? = nil, limit: Int = 50) throws -> [RunRecord] {
        try queue.read { db in
            let rows: [Row]
            if let job {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM runs WHERE job = ? ORDER BY id DESC LIMIT ?", arguments: [job, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id DESC LIMIT ?", arguments: [limit])
            }
            return rows.map(Self.record)
        }
    }

    /// Each job's newest run that did not end as skipped, for `jobs list`.
    public func lastRuns() throws -> [String: RunRecord] {
        try queue.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM runs WHERE id IN
                        (SELECT MAX(id) FROM runs WHERE status != 'skipped' GROUP BY job)
                    """)
            var result: [String: RunRecord] = [:]
            for row in rows {
                let record = Self.record(row)
                result[record.job] = record
            }
            return result
        }
    }

    private static func record(_ row: Row) -> RunRecord {
        RunRecord(
            id: row["id"], job: row["job"], slot: row["slot"],
            kind: RunKind(rawValue: row["kind"]) ?? .scheduled,
            status: RunStatus(rawValue: row["status"]) ?? .failed,
            reason: row["reason"], startedAt: row["started_at"], finishedAt: row["finished_at"],
            exitCode: row["exit_code"], signal: row["signal"], pid: row["pid"], log: row["log"])
    }

    /// Deletes finished runs whose slot is before `cutoff` and returns their log files.
    /// Safe for the at-most-once rule: the daemon never looks at slots behind a job's cursor.
    public func prune(before cutoff: Int64) throws -> [String] {
        try queue.write { db in
            let finished = "slot < ? AND status NOT IN ('queued', 'running')"
            let logs = try String?.fetchAll(db, sql: "SELECT log FROM runs WHERE \(finished)", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM runs WHERE \(finished)", arguments: [cutoff])
            return logs.compactMap { $0 }
        }
    }

    // MARK: Triggers

    /// Asks the daemon to run a job now (`nightshift jobs trigger`).
    public func addTrigger(job: String, at time: Int64) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO triggers (job, requested_at) VALUES (?, ?)", arguments: [job, time])
        }
    }

    /// Removes and returns the pending triggers, oldest first.
    public func takeTriggers() throws -> [(job: String, requestedAt: Int64)] {
        try queue.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT job, requested_at FROM triggers ORDER BY id")
            try db.execute(sql: "DELETE FROM triggers")
            return rows.map { ($0["job"], $0["requested_at"]) }
        }
    }

    /// Changes whenever another connection (the `jobs` commands) commits, so the daemon
    /// re-reads pauses and triggers only when something changed.
    public func dataVersion() throws -> Int64 {
        try queue.read { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }
}
