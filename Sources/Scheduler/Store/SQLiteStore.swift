import Foundation
import GRDB
import NightshiftCore

/// Job state and run history in one host's SQLite file. A unique key on (job, slot,
/// attempt) means a slot (and each retry of it) is offered once, so it runs at most once
/// across restarts and crashes; the daemon claims a slot (commits the row as its own)
/// before it starts the child.
///
/// One host only: the store has no clock of its own (the daemon's decides), no other host
/// can hold a run, so leases are recorded but never expire a run, and a restarted daemon
/// reconciles every unfinished run itself. Offers and claims work as with PostgreSQL
/// (SQLiteStore+Capacity), each in one write transaction.
public final class SQLiteStore: SchedulerStore {
    let queue: DatabaseQueue
    public let location: String
    public let host: String
    public let lease: Double

    /// Opens (creating if needed) the state file at `path`.
    /// - Parameters:
    ///   - host: recorded on every claim; the machine's host name by default.
    ///   - lease: seconds a run is held without renewal (recorded, for the history).
    /// - Throws: an error naming the file if it cannot be opened or migrated.
    public init(path: String, host: String = StoreHost.current, lease: Double = 15) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.journalMode = .wal
        location = path
        self.host = host
        self.lease = lease
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try PrivateFiles.createDirectory(directory) }
            // 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
            PrivateFiles.createFile(path)
            // Two processes opening a new file at once must not both set it up and migrate it.
            queue = try FileLock.exclusively(folderOf: path) {
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                try Self.migrator(host: host).migrate(queue)
                return queue
            }
        } catch {
            throw ConfigurationError("\(path): cannot open the scheduler state: \(error)")
        }
    }

    private static func migrator(host: String) -> DatabaseMigrator {
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
        migrator.registerMigration("v2: hosts and leases") { db in
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN host TEXT;
                    ALTER TABLE runs ADD COLUMN lease_until REAL;
                    """)
        }
        migrator.registerMigration("v3: one status vocabulary, receipts") { db in
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN run_id TEXT;
                    ALTER TABLE runs ADD COLUMN writes_sent INTEGER;
                    ALTER TABLE runs ADD COLUMN credits_moved INTEGER;
                    UPDATE runs SET status = 'timed out' WHERE status = 'timed-out';
                    UPDATE runs SET status = 'launch failed' WHERE status = 'launch-failed';
                    """)
        }
        migrator.registerMigration("notifications", migrate: Self.createNotifications)
        migrator.registerMigration("v4: attempts", migrate: Self.addAttempts)
        migrator.registerMigration("v5: capacity") { db in try Self.addCapacity(db, host: host) }
        return migrator
    }

    /// Each retry of a slot is a row of its own: the unique key becomes (job, slot, attempt).
    /// SQLite cannot change a table's constraints, so the table is rebuilt from its own
    /// definition (whatever columns other migrations added), and its indexes with it.
    private static func addAttempts(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE runs ADD COLUMN retry_at REAL;
                """)
        guard let definition = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'runs'"),
            definition.contains("UNIQUE (job, slot)")
        else { throw DatabaseError(message: "runs table: unexpected definition; cannot add attempts") }
        let indexes = try String.fetchAll(
            db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs' AND sql IS NOT NULL")
        let rebuilt = definition
            .replacingOccurrences(of: "CREATE TABLE runs", with: "CREATE TABLE runs_rebuilt")
            .replacingOccurrences(of: "UNIQUE (job, slot)", with: "UNIQUE (job, slot, attempt)")
        try db.execute(sql: rebuilt)
        try db.execute(
            sql: """
                INSERT INTO runs_rebuilt SELECT * FROM runs;
                DROP TABLE runs;
                ALTER TABLE runs_rebuilt RENAME TO runs;
                """)
        for index in indexes { try db.execute(sql: index) }
    }

    // MARK: Job state

    public func cursors() throws -> [String: Int64] {
        try queue.read { db in
            var result: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT job, cursor FROM job_state") {
                result[row["job"]] = row["cursor"]
            }
            return result
        }
    }

    public func setCursors(_ cursors: [String: Int64]) throws {
        try queue.write { db in
            for (job, cursor) in cursors {
                try db.execute(
                    sql: """
                        INSERT INTO job_state (job, cursor) VALUES (?, ?)
                        ON CONFLICT (job) DO UPDATE SET cursor = MAX(cursor, excluded.cursor)
                        """, arguments: [job, cursor])
            }
        }
    }

    public func pausedOverrides() throws -> [String: Bool] {
        try queue.read { db in
            var result: [String: Bool] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT job, paused FROM job_state WHERE paused IS NOT NULL") {
                result[row["job"]] = row["paused"]
            }
            return result
        }
    }

    public func setPaused(_ paused: Bool, job: String, now: Int64) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO job_state (job, cursor, paused) VALUES (?, ?, ?)
                    ON CONFLICT (job) DO UPDATE SET paused = excluded.paused
                    """, arguments: [job, now, paused])
        }
    }

    // MARK: Claims and runs

    public func record(_ claim: SlotClaim) throws -> Int64? {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO runs (job, slot, attempt, kind, status, reason, host)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [claim.job, claim.slot, claim.attempt, claim.kind.rawValue, claim.status.rawValue, claim.reason, host])
            return db.changesCount == 1 ? db.lastInsertedRowID : nil
        }
    }

    public func markStarted(id: Int64, at time: Double, pid: Int32, pidStart: String?, log: String?) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE runs SET status = 'running', started_at = ?, pid = ?, pid_start = ?, log = ?,
                        lease_until = ? WHERE id = ?
                    """,
                arguments: [time, pid, pidStart, log, time + lease, id])
        }
    }

    public func finish(id: Int64, _ end: RunEnd, at time: Double) throws {
        try queue.write { db in
            // A serial job's next waiting run waits for a place from now on, not from its
            // slot: until this end it waited for the job, which late_after does not count.
            try db.execute(
                sql: """
                    UPDATE runs SET ready_at = MAX(ready_at, ?)
                    WHERE job = (SELECT job FROM runs WHERE id = ?) AND host IS NULL AND status = 'queued' AND serial = 1
                    """,
                arguments: [time, id])
            try db.execute(
                sql: """
                    UPDATE runs SET status = ?, finished_at = ?, exit_code = ?, signal = ?,
                        reason = COALESCE(?, reason), lease_until = NULL, run_id = ?, writes_sent = ?,
                        credits_moved = ?
                    WHERE id = ?
                    """,
                arguments: [
                    end.status.rawValue, time, end.exitCode, end.signal, end.reason, end.runID, end.writesSent,
                    end.creditsMoved, id,
                ])
        }
    }

    /// Nothing is lost on one host; the renewal tells `history` the daemon still watches
    /// these runs (system clock: the one `history` compares with).
    public func renewLeases(ids: [Int64]) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE runs SET lease_until = ? WHERE status IN ('queued', 'running')
                        AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))
                    """,
                arguments: StatementArguments([Date().timeIntervalSince1970 + lease] + ids.map { $0 as any DatabaseValueConvertible }))
        }
        return []
    }

    public func unfinishedRuns() throws -> [UnfinishedRun] {
        try queue.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM runs WHERE status IN ('queued', 'running') AND host IS NOT NULL ORDER BY id")
                .map { UnfinishedRun(record: Self.record($0), pidStart: $0["pid_start"], leaseUntil: $0["lease_until"]) }
        }
    }

    // MARK: History

    public func history(job: String?, limit: Int) throws -> [JobRun] {
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

    public func lastRuns() throws -> [String: JobRun] {
        try queue.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM runs WHERE id IN
                        (SELECT MAX(id) FROM runs WHERE status != 'skipped' GROUP BY job)
                    """)
            var result: [String: JobRun] = [:]
            for row in rows {
                let record = Self.record(row)
                result[record.job] = record
            }
            return result
        }
    }

    static func record(_ row: Row) -> JobRun {
        JobRun(
            id: row["id"], job: row["job"], slot: row["slot"],
            kind: RunKind(rawValue: row["kind"]) ?? .scheduled,
            status: RunStatus(recorded: row["status"]),
            reason: row["reason"], startedAt: row["started_at"], finishedAt: row["finished_at"],
            exitCode: row["exit_code"], signal: row["signal"], pid: row["pid"], log: row["log"], host: row["host"],
            runID: row["run_id"], writesSent: row["writes_sent"], creditsMoved: row["credits_moved"],
            attempt: row["attempt"] ?? 1, retryAt: row["retry_at"])
    }

    /// Safe for the at-most-once rule: the daemon never looks at slots behind a job's cursor.
    public func prune(before cutoff: Int64) throws -> [String] {
        try queue.write { db in
            let finished = "slot < ? AND status NOT IN ('queued', 'running')"
            let logs = try String?.fetchAll(db, sql: "SELECT log FROM runs WHERE \(finished)", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM runs WHERE \(finished)", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM daemons WHERE last_tick < ?", arguments: [cutoff])
            return logs.compactMap { $0 }
        }
    }

    // MARK: Triggers

    public func addTrigger(job: String, at time: Int64) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO triggers (job, requested_at) VALUES (?, ?)", arguments: [job, time])
        }
    }

    public func takeTriggers(jobs: Set<String>) throws -> [(job: String, requestedAt: Int64)] {
        try queue.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, job, requested_at FROM triggers ORDER BY id")
                .filter { jobs.contains($0["job"]) }
            for row in rows {
                try db.execute(sql: "DELETE FROM triggers WHERE id = ?", arguments: [row["id"] as Int64])
            }
            return rows.map { ($0["job"], $0["requested_at"]) }
        }
    }

    public func close() {}
}
