import Foundation
import GRDB
import NightshiftCore

/// The audit database (SQLite): every write in every mode, and every run.
///
/// A write is inserted as "outcome unknown" before it is sent and completed after, so a
/// crash between the two leaves "outcome unknown", never nothing. Safe to use from any thread.
public final class AuditLog: Sendable {
    package let queue: DatabaseQueue
    /// The file.
    public let path: String
    /// The name this process records on the runs it starts (`NIGHTSHIFT_HOST`, else the
    /// machine's host name, in the executable), and reports for runs recorded without one.
    public let host: String?

    /// Why the audit log could not be used.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What happened.
        public let description: String
    }

    /// Opens (creating if needed) the audit database at `path`. A folder it creates is
    /// private to the user (0700), and so is a database it creates (0600; SQLite gives its
    /// `-wal` and `-shm` files the database's mode).
    /// - Parameter host: recorded on the runs this log starts; see ``host``.
    public init(path: String, host: String? = nil) throws(Failure) {
        self.path = path
        self.host = host
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // WAL, with the synchronous level GRDB's `.wal` picks. Set here rather than with
        // `journalMode = .wal`: that also checks the size of the `-wal` file through
        // Foundation's URL resource values and, as the file is gone after each clean close,
        // writes a throwaway table on every open (for DatabasePool readers, which the audit
        // log does not use): about a millisecond of every run's start-up.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
        }
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try Self.createPrivateDirectory(directory)
            }
            // Created here, before SQLite opens it, so it is never readable by others.
            let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
            if descriptor >= 0 { close(descriptor) }
            // Two processes opening a new file at once must not both set it up and migrate it.
            queue = try FileLock.exclusively(folderOf: path) {
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                try Self.migrator.migrate(queue)
                return queue
            }
        } catch {
            throw Failure(description: "\(path): cannot open the audit log: \(error)")
        }
    }

    /// Creates `directory` and any missing parents with mode 0700 (the umask cannot widen
    /// it); folders that exist are left as they are.
    private static func createPrivateDirectory(_ directory: String) throws {
        var missing: [String] = []
        var current = directory
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            chmod(folder, 0o700)
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE runs (
                        id TEXT PRIMARY KEY NOT NULL,
                        script_path TEXT NOT NULL,
                        script_hash TEXT NOT NULL,
                        arguments TEXT NOT NULL,
                        grant_text TEXT NOT NULL,
                        mode TEXT NOT NULL,
                        started_at TEXT NOT NULL,
                        ended_at TEXT,
                        status TEXT NOT NULL,
                        output TEXT NOT NULL DEFAULT '',
                        error TEXT
                    );
                    CREATE TABLE writes (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time TEXT NOT NULL,
                        run_id TEXT NOT NULL,
                        script_path TEXT NOT NULL,
                        script_hash TEXT NOT NULL,
                        endpoint TEXT NOT NULL,
                        target TEXT NOT NULL,
                        parameters TEXT NOT NULL,
                        mode TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        answer TEXT,
                        credit_change INTEGER NOT NULL DEFAULT 0,
                        credits_before INTEGER,
                        credits_after INTEGER
                    );
                    CREATE INDEX writes_by_run ON writes (run_id);
                    """)
        }
        migrator.registerMigration("v2: write locations and run modules") { db in
            try db.execute(sql: "ALTER TABLE writes ADD COLUMN location TEXT")
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN modules TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v3: the process of a run") { db in
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN pid INTEGER")
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN process_start INTEGER")
        }
        migrator.registerMigration("v4: one status vocabulary with the scheduler") { db in
            // Older runs were recorded `ok`; the scheduler's history says `succeeded`.
            try db.execute(sql: "UPDATE runs SET status = 'succeeded' WHERE status = 'ok'")
        }
        migrator.registerMigration("v5: shared records") { db in
            // `host` names the host in the shared records; `shipped` is the status last copied
            // there (NULL: never), so a run whose status changed since is copied again.
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN host TEXT")
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN shipped TEXT")
            try db.execute(sql: "CREATE INDEX runs_to_ship ON runs (started_at) WHERE shipped IS NOT status")
        }
        migrator.registerMigration("v6: REPL sessions in the one status vocabulary") { db in
            // REPL sessions went on being recorded `ok` after v4; they ended well: `succeeded`.
            try db.execute(sql: "UPDATE runs SET status = 'succeeded' WHERE status = 'ok'")
            try db.execute(sql: "UPDATE runs SET shipped = 'succeeded' WHERE shipped = 'ok'")
        }
        migrator.registerMigration("v7: plans") { db in
            // A plan is used once: applied (whole or in part) or rejected. The row is claimed in
            // one statement (the primary key), as the scheduler claims a slot.
            try db.execute(
                sql: """
                    CREATE TABLE plan_uses (
                        id TEXT PRIMARY KEY NOT NULL,
                        digest TEXT NOT NULL,
                        state TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        host TEXT,
                        at TEXT NOT NULL,
                        ended_at TEXT,
                        run_id TEXT,
                        writes_sent INTEGER NOT NULL DEFAULT 0,
                        detail TEXT
                    );
                    CREATE TABLE plan_events (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        plan_id TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        at TEXT NOT NULL,
                        detail TEXT
                    );
                    CREATE INDEX plan_events_by_plan ON plan_events (plan_id, seq);
                    CREATE TABLE plans (
                        id TEXT PRIMARY KEY NOT NULL,
                        path TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        author TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        expires_at TEXT NOT NULL,
                        wait_until TEXT,
                        job TEXT,
                        slot INTEGER,
                        writes INTEGER NOT NULL,
                        credits INTEGER NOT NULL,
                        panel TEXT NOT NULL
                    );
                    CREATE INDEX plans_by_time ON plans (created_at);
                    ALTER TABLE writes ADD COLUMN plan_id TEXT;
                    CREATE INDEX writes_by_plan ON writes (plan_id) WHERE plan_id IS NOT NULL;
                    """)
        }
        registerConsoleMigrations(&migrator)
        migrator.registerMigration("v9: panels by name") { db in
            // Fleets: one run per panel, each run and write naming its panel, each run its fleet.
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN panel TEXT")
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN fleet TEXT")
            try db.execute(sql: "ALTER TABLE writes ADD COLUMN panel TEXT")
        }
        return migrator
    }

    // MARK: Runs

    /// Records a run's start.
    public func startRun(_ run: RunRecord) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (id, script_path, script_hash, arguments, grant_text, mode, started_at, status, output,
                        pid, process_start, host, panel, fleet)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    run.id, run.scriptPath, run.scriptHash, run.arguments, run.grant, run.mode, run.startedAt, run.status.rawValue,
                    run.process?.pid, run.process?.startTime, run.host ?? host, run.panel, run.fleet,
                ])
        }
    }

    /// Records a run's end. Only a run still `running` is changed, so the first ending wins
    /// (the watchdog's "timed out" is not overwritten by a late normal end, and vice versa).
    @discardableResult
    public func finishRun(
        id: String, endedAt: String, status: RunStatus, output: String, error: String?, modules: String = ""
    ) throws -> Bool {
        try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE runs SET ended_at = ?, status = ?, output = ?, error = ?, modules = ?
                    WHERE id = ? AND status = 'running'
                    """,
                arguments: [endedAt, status.rawValue, output, error, modules, id])
            return db.changesCount > 0
        }
    }

    /// Runs, newest first, optionally filtered. A run recorded as running whose process is
    /// gone (`isAlive` says so) is shown as ``RunStatus/crashed``; one recorded without its
    /// process (before v3) stays running.
    /// - Parameter unshipped: only runs whose current record has not been copied to the
    ///   shared records (see `AuditLog+Shipping.swift`).
    public func runs(
        status: RunStatus? = nil, script: String? = nil, limit: Int = 50, unshipped: Bool = false,
        isAlive: (ProcessIdentity) -> Bool = { $0.isAlive }
    ) throws -> [RunRecord] {
        let records: [RunRecord] = try queue.read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let status {
                // Whether a run crashed is decided here, so both are read as running.
                clauses.append("status = ?")
                arguments += [(status == .crashed ? .running : status).rawValue]
            }
            if let script {
                clauses.append("script_path LIKE ?")
                arguments += ["%\(script)%"]
            }
            if unshipped { clauses.append(Self.notShipped) }
            let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments += [limit]
            return try Row.fetchAll(
                db, sql: "SELECT * FROM runs \(filter) ORDER BY started_at DESC, rowid DESC LIMIT ?", arguments: arguments
            ).map(runRecord)
        }
        let decided = records.map { Self.decided($0, isAlive: isAlive) }
        guard let status, status == .running || status == .crashed else { return decided }
        return decided.filter { $0.status == status }
    }

    /// The condition that a run's current record is not in the shared records (the partial
    /// index `runs_to_ship` covers it).
    static let notShipped = "shipped IS NOT status"

    /// A `runs` row as a record; a row recorded without a host reports this log's.
    func runRecord(_ row: Row) -> RunRecord {
        RunRecord(
            id: row["id"], scriptPath: row["script_path"], scriptHash: row["script_hash"],
            arguments: row["arguments"], grant: row["grant_text"], mode: row["mode"], startedAt: row["started_at"],
            endedAt: row["ended_at"], status: RunStatus(recorded: row["status"]), output: row["output"], error: row["error"],
            modules: row["modules"],
            process: (row["pid"] as Int32?).flatMap { pid in
                (row["process_start"] as Int64?).map { ProcessIdentity(pid: pid, startTime: $0) }
            },
            host: row["host"] ?? host, panel: row["panel"], fleet: row["fleet"])
    }

    /// `record` with a running status turned ``RunStatus/crashed`` when its process is gone.
    static func decided(_ record: RunRecord, isAlive: (ProcessIdentity) -> Bool) -> RunRecord {
        var record = record
        if record.status == .running, let process = record.process, !isAlive(process) {
            record.status = .crashed
        }
        return record
    }

    // MARK: Writes

    /// Records a write before it is sent (or a refused, planned or declined one); returns its row id.
    public func record(_ entry: AuditEntry) throws -> Int64 {
        try queue.write { db in
            // Cached statements: a run with many writes parses each SQL text once.
            try db.cachedStatement(
                sql: """
                    INSERT INTO writes (time, run_id, script_path, script_hash, endpoint, target, parameters, mode, outcome,
                        answer, credit_change, credits_before, credits_after, location, plan_id, panel)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    entry.time, entry.runID, entry.scriptPath, entry.scriptHash, entry.endpoint, entry.target,
                    entry.parameters, entry.mode, entry.outcome, entry.answer, entry.creditChange, entry.creditsBefore,
                    entry.creditsAfter, entry.location, entry.planID, entry.panel,
                ])
            return db.lastInsertedRowID
        }
    }

    /// Completes a write recorded by ``record(_:)``.
    public func complete(_ id: Int64, outcome: String, answer: String?) throws {
        try queue.write { db in
            try db.cachedStatement(sql: "UPDATE writes SET outcome = ?, answer = ? WHERE id = ?")
                .execute(arguments: [outcome, answer, id])
        }
    }

    /// Writes, oldest first, optionally filtered.
    /// - Parameter unshipped: only writes of runs whose current record has not been copied
    ///   to the shared records.
    public func writes(
        runID: String? = nil, endpoint: String? = nil, outcome: String? = nil, mode: String? = nil, limit: Int = 200,
        unshipped: Bool = false
    ) throws -> [AuditEntry] {
        try queue.read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            for (column, value) in [("run_id", runID), ("endpoint", endpoint), ("outcome", outcome), ("mode", mode)] {
                if let value {
                    clauses.append("w.\(column) = ?")
                    arguments += [value]
                }
            }
            if unshipped { clauses.append("(r.id IS NULL OR r.shipped IS NOT r.status)") }
            let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments += [limit]
            // The newest `limit` rows, shown oldest first; each with its run's host.
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (SELECT w.*, r.host AS host FROM writes w LEFT JOIN runs r ON r.id = w.run_id \(filter)
                        ORDER BY w.id DESC LIMIT ?) ORDER BY id
                    """,
                arguments: arguments
            ).map(auditEntry)
        }
    }

    /// A `writes` row (with its run's `host`) as an entry.
    func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(
            id: row["id"], time: row["time"], runID: row["run_id"], scriptPath: row["script_path"],
            scriptHash: row["script_hash"], endpoint: row["endpoint"], target: row["target"],
            parameters: row["parameters"], mode: row["mode"], outcome: row["outcome"], answer: row["answer"],
            creditChange: row["credit_change"], creditsBefore: row["credits_before"],
            creditsAfter: row["credits_after"], location: row["location"], host: row["host"] ?? host,
            planID: row["plan_id"], panel: row["panel"])
    }
}
