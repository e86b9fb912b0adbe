import Foundation
import GRDB
import NightshiftCore

/// Where a run came from when the scheduler started it: its job, why it ran, its slot.
/// Runs started by hand (`nightshift run`, the REPL) have none.
public struct AuditRunOrigin: Sendable, Hashable {
    /// The job's name.
    public var job: String
    /// The scheduler's reason: `scheduled`, `catch-up` or `manual` (`jobs trigger`, the console's Run now).
    public var kind: String
    /// The slot (seconds since the epoch).
    public var slot: Int64?
    /// 1 for a slot's first run, 2… for its retries.
    public var attempt: Int?

    /// Creates an origin.
    public init(job: String, kind: String, slot: Int64? = nil, attempt: Int? = nil) {
        self.job = job
        self.kind = kind
        self.slot = slot
        self.attempt = attempt
    }
}

/// The kinds of run the console tells apart.
public enum AuditRunKind {
    /// Started by the daemon at its slot.
    public static let scheduled = "scheduled"
    /// A slot missed while the daemon was down, replayed.
    public static let catchUp = "catch-up"
    /// `nightshift jobs trigger` or the console's Run now.
    public static let triggered = "manual"
    /// `nightshift run` by hand.
    public static let run = "run"
    /// A REPL session.
    public static let repl = "repl"
    /// Every kind, in the order the console lists them.
    public static let all = [scheduled, catchUp, triggered, run, repl]
}

/// One run as the console lists and shows it: its record and, when the scheduler started it,
/// its origin. On a page of runs the record's `output` is empty (the list never shows it).
public struct AuditRunListing: Sendable, Hashable {
    /// The run.
    public var record: RunRecord
    /// Its job, when the scheduler started it.
    public var origin: AuditRunOrigin?
    /// Where the next page starts when this is a page's last run; empty for a run read alone.
    public var cursor: String

    /// Creates a listing.
    public init(record: RunRecord, origin: AuditRunOrigin? = nil, cursor: String = "") {
        self.record = record
        self.origin = origin
        self.cursor = cursor
    }

    /// Why it ran (an ``AuditRunKind``): the origin's kind, else `repl` for a REPL session and
    /// `run` for `nightshift run`.
    public var kind: String {
        origin?.kind ?? (record.scriptPath == "(repl)" ? AuditRunKind.repl : AuditRunKind.run)
    }
}

/// One write on a page of the Audit page.
public struct AuditWriteListing: Sendable, Hashable {
    /// The write, with its run's host.
    public var entry: AuditEntry
    /// Where the next page starts when this is a page's last write.
    public var cursor: String

    /// Creates a listing.
    public init(entry: AuditEntry, cursor: String) {
        self.entry = entry
        self.cursor = cursor
    }
}

/// A reseller's credits as the last write that measured them left them.
public struct AuditCreditsSeen: Sendable, Hashable {
    /// The target as the audit log names it.
    public var target: String
    /// Credits after that write.
    public var credits: Int
    /// When it was recorded.
    public var time: String
    /// The run that made it.
    public var runID: String

    /// Creates one.
    public init(target: String, credits: Int, time: String, runID: String) {
        self.target = target
        self.credits = credits
        self.time = time
        self.runID = runID
    }
}

/// Credits a reseller was moved on one day (UTC) by writes that were done.
public struct AuditDailyCredits: Sendable, Hashable {
    /// `2026-03-01`.
    public var day: String
    /// The target.
    public var target: String
    /// The sum of the credit changes (negative for removals).
    public var credits: Int

    /// Creates one.
    public init(day: String, target: String, credits: Int) {
        self.day = day
        self.target = target
        self.credits = credits
    }
}

/// How a run's writes ended, counted.
public struct AuditRunTotals: Sendable, Hashable {
    /// Writes by outcome.
    public var byOutcome: [String: Int]
    /// Credits moved by writes that were done.
    public var creditsMoved: Int
    /// Writes recorded.
    public var count: Int { byOutcome.values.reduce(0, +) }

    /// Creates totals.
    public init(byOutcome: [String: Int] = [:], creditsMoved: Int = 0) {
        self.byOutcome = byOutcome
        self.creditsMoved = creditsMoved
    }
}

/// The statements behind the console's pages. Each page reads through one of these, and
/// `ConsoleTests` checks every one's query plan: an index gives the rows in the page's order,
/// so a page reads about as many rows as it shows, never the table.
public enum AuditConsoleStatement: Sendable, Hashable {
    /// The Runs page: a page of runs, newest first, after the cursor `before`.
    case runs(RunFilter, before: String?, limit: Int)
    /// A run with its origin (Run detail).
    case run(id: String)
    /// A run's writes after the write `afterID`, oldest first (Run detail).
    case runWrites(runID: String, afterID: Int64, limit: Int)
    /// A run's writes counted by outcome (Run detail's receipt).
    case runTotals(runID: String)
    /// The Audit page: a page of writes, newest first, after the cursor `before`.
    case writes(WriteFilter, before: String?, limit: Int)
    /// Targets whose credits were measured, from `after`, at most `limit` (Panel; and the
    /// Audit page's reseller search, with `prefix`).
    case creditsSeen(after: String?, prefix: String?, limit: Int)
    /// Targets written to that start with `prefix`, in name order (the Audit page's reseller search).
    case targets(prefix: String, limit: Int)
    /// Credits moved per day and target between two times (Panel's chart).
    case dailyCredits(since: String, until: String)
    /// Console actions, newest first, optionally one user's.
    case consoleActions(user: String?, before: String?, limit: Int)
}

extension AuditLog {
    /// The console's tables and the indexes its pages read through; registered after the
    /// migrations in `AuditLog.swift`.
    static func registerConsoleMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8: console") { db in
            try db.execute(
                sql: """
                    CREATE TABLE run_origins (
                        run_id TEXT PRIMARY KEY NOT NULL,
                        job TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        slot INTEGER,
                        attempt INTEGER,
                        started_at TEXT NOT NULL
                    );
                    CREATE INDEX run_origins_by_job ON run_origins (job, started_at);
                    CREATE INDEX run_origins_by_kind ON run_origins (kind, started_at);
                    CREATE INDEX runs_by_start ON runs (started_at);
                    CREATE INDEX runs_by_status ON runs (status, started_at);
                    CREATE INDEX runs_by_mode ON runs (mode, started_at);
                    CREATE INDEX runs_by_host ON runs (host, started_at);
                    CREATE INDEX runs_by_script ON runs (script_path, started_at);
                    CREATE INDEX writes_by_time ON writes (time);
                    CREATE INDEX writes_by_target ON writes (target, time);
                    CREATE INDEX writes_by_run_time ON writes (run_id, time);
                    CREATE INDEX writes_by_plan_time ON writes (plan_id, time) WHERE plan_id IS NOT NULL;
                    CREATE INDEX writes_credits_seen ON writes (target, id) WHERE outcome = 'done' AND credits_after IS NOT NULL;
                    CREATE TABLE console_actions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time TEXT NOT NULL,
                        user TEXT NOT NULL,
                        address TEXT NOT NULL,
                        action TEXT NOT NULL,
                        target TEXT NOT NULL DEFAULT '',
                        outcome TEXT NOT NULL,
                        detail TEXT
                    );
                    CREATE INDEX console_actions_by_time ON console_actions (time);
                    CREATE INDEX console_actions_by_user ON console_actions (user, time);
                    """)
        }
    }

    // MARK: Writing

    /// Records that run `runID` was started by the scheduler for `origin` (the child reads it
    /// from `NIGHTSHIFT_JOB` and the variables beside it) at `startedAt` (ISO 8601, UTC), before
    /// the run starts.
    public func recordOrigin(runID: String, origin: AuditRunOrigin, startedAt: String) throws {
        try queue.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO run_origins (run_id, job, kind, slot, attempt, started_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [runID, origin.job, origin.kind, origin.slot, origin.attempt, startedAt])
        }
    }

    /// Records a console action; returns its row id.
    @discardableResult
    public func recordConsoleAction(_ action: ConsoleActionEntry) throws -> Int64 {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO console_actions (time, user, address, action, target, outcome, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    action.time, action.user, action.address, action.action, action.target, action.outcome, action.detail,
                ])
            return db.lastInsertedRowID
        }
    }

    // MARK: Reading

    /// A page of runs matching `filter`, newest first, after the cursor `before`.
    public func runPage(
        _ filter: RunFilter = RunFilter(), before: String? = nil, limit: Int = 50,
        isAlive: (ProcessIdentity) -> Bool = { $0.isAlive }
    ) throws -> [AuditRunListing] {
        let statement = AuditConsoleStatement.runs(filter, before: before, limit: limit)
        return try queue.read { db in
            try Row.fetchAll(db, sql: statement.sql, arguments: statement.arguments).map { row in
                var record = runRecord(row)
                record = Self.decided(record, isAlive: isAlive)
                let cursor = "\(row["sort_time"] as String)~\(row["sort_row"] as Int64)"
                return AuditRunListing(record: record, origin: Self.origin(row), cursor: cursor)
            }
        }
    }

    /// The run `id` with its origin; nil when there is none.
    public func run(id: String, isAlive: (ProcessIdentity) -> Bool = { $0.isAlive }) throws -> AuditRunListing? {
        let statement = AuditConsoleStatement.run(id: id)
        return try queue.read { db in
            guard let row = try Row.fetchOne(db, sql: statement.sql, arguments: statement.arguments) else { return nil }
            return AuditRunListing(record: Self.decided(runRecord(row), isAlive: isAlive), origin: Self.origin(row))
        }
    }

    /// A run's writes after the write `afterID` (0 for the first), oldest first.
    public func runWrites(runID: String, afterID: Int64 = 0, limit: Int) throws -> [AuditEntry] {
        let statement = AuditConsoleStatement.runWrites(runID: runID, afterID: afterID, limit: limit)
        return try queue.read { db in
            try Row.fetchAll(db, sql: statement.sql, arguments: statement.arguments).map(auditEntry)
        }
    }

    /// A run's writes counted by outcome, and the credits its done writes moved.
    public func runTotals(runID: String) throws -> AuditRunTotals {
        let statement = AuditConsoleStatement.runTotals(runID: runID)
        return try queue.read { db in
            var totals = AuditRunTotals(byOutcome: [:], creditsMoved: 0)
            for row in try Row.fetchAll(db, sql: statement.sql, arguments: statement.arguments) {
                let outcome: String = row["outcome"]
                totals.byOutcome[outcome] = row["count"]
                if outcome == AuditOutcome.done { totals.creditsMoved = row["credits"] ?? 0 }
            }
            return totals
        }
    }

    /// A page of writes matching `filter`, newest first, after the cursor `before`.
    public func writePage(_ filter: WriteFilter = WriteFilter(), before: String? = nil, limit: Int = 100) throws
        -> [AuditWriteListing]
    {
        let statement = AuditConsoleStatement.writes(filter, before: before, limit: limit)
        return try queue.read { db in
            try Row.fetchAll(db, sql: statement.sql, arguments: statement.arguments).map { row in
                AuditWriteListing(entry: auditEntry(row), cursor: "\(row["time"] as String)~\(row["id"] as Int64)")
            }
        }
    }

    /// Targets whose credits a done write measured, in name order, each with the last
    /// credits seen: from after `after`, those starting with `prefix`, at most `limit`.
    public func creditsSeen(after: String? = nil, prefix: String? = nil, limit: Int) throws -> [AuditCreditsSeen] {
        let statement = AuditConsoleStatement.creditsSeen(after: after, prefix: prefix, limit: limit)
        return try queue.read { db in
            try Row.fetchAll(db, sql: statement.sql, arguments: statement.arguments).compactMap { row in
                guard let credits = row["credits"] as Int? else { return nil }
                return AuditCreditsSeen(target: row["target"], credits: credits, time: row["time"], runID: row["run_id"])
            }
        }
    }

    /// Targets written to that start with `prefix`, in name order, at most `limit`.
    public func targets(prefix: String, limit: Int) throws -> [String] {
        let statement = AuditConsoleStatement.targets(prefix: prefix, limit: limit)
        return try queue.read { db in
            try String.fetchAll(db, sql: statement.sql, arguments: statement.arguments)
        }
    }

    /// Credits moved per day and target by done writes recorded in `since..<until`.
    public func dailyCredits(since: String, until: String) throws -> [AuditDailyCredits] {
        let statement = AuditConsoleStatement.dailyCredits(since: since, until: until)
        return try queue.read { db in
            try Row.fetchAll(db, sql: statement.sql, arguments: statement.arguments).map { row in
                AuditDailyCredits(day: row["day"], target: row["target"], credits: row["credits"])
            }
        }
    }

    /// Console actions, newest first.
    public func consoleActions(user: String? = nil, before: String? = nil, limit: Int) throws -> [ConsoleActionEntry] {
        let statement = AuditConsoleStatement.consoleActions(user: user, before: before, limit: limit)
        return try queue.read { db in
            try Row.fetchAll(db, sql: statement.sql, arguments: statement.arguments).map { row in
                ConsoleActionEntry(
                    id: row["id"], time: row["time"], user: row["user"], address: row["address"], action: row["action"],
                    target: row["target"], outcome: row["outcome"], detail: row["detail"])
            }
        }
    }

    /// SQLite's plan for `statement` (`EXPLAIN QUERY PLAN`), one line per step.
    public func queryPlan(_ statement: AuditConsoleStatement) throws -> [String] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments).map {
                $0["detail"]
            }
        }
    }

    private static func origin(_ row: Row) -> AuditRunOrigin? {
        guard let job = row["origin_job"] as String?, let kind = row["origin_kind"] as String? else { return nil }
        return AuditRunOrigin(job: job, kind: kind, slot: row["origin_slot"], attempt: row["origin_attempt"])
    }
}

extension AuditConsoleStatement {
    /// The run columns a listing shows (not the output: up to 64 KiB a run).
    private static let runColumns = """
        r.id, r.script_path, r.script_hash, r.arguments, r.grant_text, r.mode, r.started_at, r.ended_at, r.status,
        '' AS output, r.error, r.modules, r.pid, r.process_start, r.host,
        o.job AS origin_job, o.kind AS origin_kind, o.slot AS origin_slot, o.attempt AS origin_attempt
        """

    /// A cursor `time~row` as its two parts; nil when it is not one.
    static func cursor(_ text: String?) -> (time: String, row: Int64)? {
        guard let text, let split = text.lastIndex(of: "~"), let row = Int64(text[text.index(after: split)...]) else {
            return nil
        }
        return (String(text[..<split]), row)
    }

    /// The statement's SQL text.
    var sql: String { built.sql }

    /// Its arguments.
    var arguments: StatementArguments { built.arguments }

    private var built: (sql: String, arguments: StatementArguments) {
        switch self {
        case let .runs(filter, before, limit): return Self.runs(filter, before: before, limit: limit)
        case .run:
            return (
                "SELECT r.*, o.job AS origin_job, o.kind AS origin_kind, o.slot AS origin_slot, o.attempt AS origin_attempt "
                    + "FROM runs r LEFT JOIN run_origins o ON o.run_id = r.id WHERE r.id = ?", arguments(self)
            )
        case .runWrites:
            return (
                "SELECT w.*, r.host AS host FROM writes w LEFT JOIN runs r ON r.id = w.run_id "
                    + "WHERE w.run_id = ? AND w.id > ? ORDER BY w.id LIMIT ?", arguments(self)
            )
        case .runTotals:
            return (
                "SELECT outcome, count(*) AS count, sum(credit_change) AS credits FROM writes WHERE run_id = ? GROUP BY outcome",
                arguments(self)
            )
        case let .writes(filter, before, limit): return Self.writes(filter, before: before, limit: limit)
        case let .creditsSeen(after, prefix, limit): return Self.creditsSeen(after: after, prefix: prefix, limit: limit)
        case let .targets(prefix, limit):
            // A skip scan: one probe of the target index per distinct target.
            let high = prefix + "\u{10FFFF}"
            return (
                """
                WITH RECURSIVE t(target, n) AS (
                    SELECT (SELECT min(target) FROM writes WHERE target >= ?), 1
                    UNION ALL
                    SELECT (SELECT min(target) FROM writes WHERE target > t.target), n + 1
                    FROM t WHERE t.target IS NOT NULL AND t.target < ? AND n < ?
                )
                SELECT target FROM t WHERE target IS NOT NULL AND target < ?
                """, [prefix, high, limit, high]
            )
        case let .dailyCredits(since, until):
            return (
                """
                SELECT substr(time, 1, 10) AS day, target, sum(credit_change) AS credits FROM writes
                WHERE time >= ? AND time < ? AND outcome = 'done' AND credit_change != 0
                GROUP BY day, target ORDER BY day, target
                """, [since, until]
            )
        case let .consoleActions(user, before, limit):
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let user {
                clauses.append("user = ?")
                arguments += [user]
            }
            if let (time, row) = Self.cursor(before) {
                clauses.append("(time, id) < (?, ?)")
                arguments += [time, row]
            }
            arguments += [limit]
            let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            return ("SELECT * FROM console_actions \(filter) ORDER BY time DESC, id DESC LIMIT ?", arguments)
        }
    }

    private func arguments(_ statement: AuditConsoleStatement) -> StatementArguments {
        switch statement {
        case let .run(id): return [id]
        case let .runWrites(runID, afterID, limit): return [runID, afterID, limit]
        case let .runTotals(runID): return [runID]
        default: return []
        }
    }

    /// Runs: driven by the job's origins when a job is asked for (the origin's start time
    /// orders them), else by the runs index that matches the first filter given.
    private static func runs(_ filter: RunFilter, before: String?, limit: Int) -> (String, StatementArguments) {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        let byOrigin = filter.job != nil || [AuditRunKind.scheduled, AuditRunKind.catchUp, AuditRunKind.triggered]
            .contains(filter.kind ?? "")
        let time = byOrigin ? "o.started_at" : "r.started_at"
        let row = byOrigin ? "o.rowid" : "r.rowid"
        if let job = filter.job {
            clauses.append("o.job = ?")
            arguments += [job]
        }
        switch filter.kind {
        case AuditRunKind.run?:
            clauses.append("o.run_id IS NULL AND r.script_path != '(repl)'")
        case AuditRunKind.repl?:
            clauses.append("r.script_path = '(repl)'")
        case let kind?:
            clauses.append("o.kind = ?")
            arguments += [kind]
        case nil: break
        }
        for (column, value) in [("r.status", filter.status), ("r.mode", filter.mode), ("r.host", filter.host)] {
            if let value {
                // Whether a run crashed is decided when it is read, so both are read as running.
                clauses.append("\(column) = ?")
                arguments += [column == "r.status" && value == RunStatus.crashed.rawValue ? RunStatus.running.rawValue : value]
            }
        }
        if let since = filter.since {
            clauses.append("\(time) >= ?")
            arguments += [since]
        }
        if let until = filter.until {
            clauses.append("\(time) < ?")
            arguments += [until]
        }
        if let (sortTime, sortRow) = cursor(before) {
            clauses.append("(\(time), \(row)) < (?, ?)")
            arguments += [sortTime, sortRow]
        }
        arguments += [limit]
        let conditions = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        // CROSS JOIN fixes the outer table: the origins when they drive, else the runs.
        let from = byOrigin
            ? "run_origins o CROSS JOIN runs r ON r.id = o.run_id"
            : "runs r LEFT JOIN run_origins o ON o.run_id = r.id"
        return (
            """
            SELECT \(runColumns), \(time) AS sort_time, \(row) AS sort_row FROM \(from) \(conditions)
            ORDER BY \(time) DESC, \(row) DESC LIMIT ?
            """, arguments
        )
    }

    /// Writes: by target, by run, or by time, newest first; the rest filters those rows.
    private static func writes(_ filter: WriteFilter, before: String?, limit: Int) -> (String, StatementArguments) {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        for (column, value) in [("w.target", filter.target), ("w.run_id", filter.runID), ("w.plan_id", filter.planID)] {
            if let value {
                clauses.append("\(column) = ?")
                arguments += [value]
            }
        }
        if let since = filter.since {
            clauses.append("w.time >= ?")
            arguments += [since]
        }
        if let until = filter.until {
            clauses.append("w.time < ?")
            arguments += [until]
        }
        if let (time, row) = cursor(before) {
            clauses.append("(w.time, w.id) < (?, ?)")
            arguments += [time, row]
        }
        arguments += [limit]
        let conditions = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        // The index of the first filter given drives the page, in the page's order.
        let index =
            filter.target != nil
            ? "writes_by_target"
            : filter.runID != nil ? "writes_by_run_time" : filter.planID != nil ? "writes_by_plan_time" : "writes_by_time"
        return (
            """
            SELECT w.*, r.host AS host FROM writes w INDEXED BY \(index) LEFT JOIN runs r ON r.id = w.run_id \(conditions)
            ORDER BY w.time DESC, w.id DESC LIMIT ?
            """, arguments
        )
    }

    /// Targets whose credits were measured: a skip scan of the partial index, one probe per
    /// target, with the newest measurement of each. The recursion yields them in name order.
    private static func creditsSeen(after: String?, prefix: String?, limit: Int) -> (String, StatementArguments) {
        let high = (prefix ?? "") + "\u{10FFFF}"
        let seen = "outcome = 'done' AND credits_after IS NOT NULL"
        // After a page's last target, or from the prefix (the prefix itself included).
        let (first, low) = after.map { ("target > ?", max($0, prefix ?? "")) } ?? ("target >= ?", prefix ?? "")
        return (
            """
            WITH RECURSIVE t(target, n) AS (
                SELECT (SELECT min(target) FROM writes WHERE \(first) AND \(seen)), 1
                UNION ALL
                SELECT (SELECT min(target) FROM writes WHERE target > t.target AND \(seen)), n + 1
                FROM t WHERE t.target IS NOT NULL AND t.target < ? AND n < ?
            )
            SELECT t.target, w.credits_after AS credits, w.time, w.run_id
            FROM t JOIN writes w ON w.id = (
                SELECT id FROM writes WHERE target = t.target AND \(seen) ORDER BY id DESC LIMIT 1)
            WHERE t.target IS NOT NULL AND t.target < ?
            """,
            [low, high, limit, high]
        )
    }
}
