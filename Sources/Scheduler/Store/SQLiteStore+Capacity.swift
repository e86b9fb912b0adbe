import Foundation
import GRDB
import NightshiftCore

/// Offers, claims, pools and daemons on one host: the same rules as PostgreSQL's
/// (PostgresStore+Capacity), each operation one write transaction, which SQLite runs alone.
/// Pool places are counted from the runs themselves: nothing else writes meanwhile.
extension SQLiteStore {
    /// Waiting runs (`ready_at`), cluster-wide pools (`pool`, `serial`), and the tables of
    /// pools and daemons. Rows from before hosts were recorded belong to this host.
    static func addCapacity(_ db: Database, host: String) throws {
        try db.execute(
            sql: """
                ALTER TABLE runs ADD COLUMN ready_at REAL;
                ALTER TABLE runs ADD COLUMN serial INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE runs ADD COLUMN pool TEXT;
                CREATE INDEX runs_waiting ON runs (ready_at, id) WHERE host IS NULL AND status = 'queued';
                CREATE TABLE pools (name TEXT PRIMARY KEY NOT NULL, size INTEGER NOT NULL);
                CREATE TABLE daemons (
                    host TEXT PRIMARY KEY NOT NULL,
                    pid INTEGER NOT NULL,
                    started_at REAL NOT NULL,
                    last_tick REAL NOT NULL,
                    tick REAL NOT NULL,
                    max_running INTEGER,
                    stopped_at REAL
                );
                """)
        try db.execute(sql: "UPDATE runs SET host = ? WHERE host IS NULL", arguments: [host])
    }

    // MARK: Time and control

    public func snapshot(at time: Double, lateAfter: Int64) throws -> StoreSnapshot {
        // Changes whenever another connection (the `jobs` commands) commits, so the daemon
        // re-reads pauses and triggers only when something changed.
        let (version, waiting, late) = try queue.read { db in
            (
                try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0,
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM runs w WHERE \(Self.forPlace) AND w.ready_at <= ?"), arguments: [time]) ?? 0,
                try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (\(Self.late))"), arguments: [time - Double(lateAfter)]) ?? false
            )
        }
        return StoreSnapshot(now: nil, controlVersion: version, waiting: waiting, late: late)
    }

    /// A run offered and claimed by no host.
    private static let waiting = "host IS NULL AND status = 'queued'"

    /// A waiting run (alias `w`) that waits for a place: not a serial job's run behind one
    /// of the job's held runs, which waits for the job.
    /// The job list is one uncorrelated subquery, read once per statement, not once per row.
    private static let forPlace = """
        w.host IS NULL AND w.status = 'queued' AND (w.serial = 0 OR w.job NOT IN (SELECT h.job FROM runs h
            WHERE h.status IN ('queued', 'running') AND h.host IS NOT NULL))
        """

    /// Runs that waited for a place since before the argument (now - late_after).
    private static let late = "SELECT * FROM runs w WHERE \(forPlace) AND w.ready_at < ?"

    public func skipLate(lateAfter: Int64, at time: Double) throws -> [JobRun] {
        try queue.write { db in
            var missed: [JobRun] = []
            for row in try Row.fetchAll(db, sql: Self.late, arguments: [time - Double(lateAfter)]) {
                var run = Self.record(row)
                run.status = .skipped
                run.host = host
                run.finishedAt = time
                run.reason = MissedWait.reason(
                    waited: time - (row["ready_at"] as Double? ?? time), pool: row["pool"], lateAfter: lateAfter)
                try db.execute(
                    sql: "UPDATE runs SET status = 'skipped', host = ?, finished_at = ?, reason = ? WHERE id = ?",
                    arguments: [host, time, run.reason, run.id])
                missed.append(run)
            }
            return missed
        }
    }

    // MARK: Offers and claims

    public func offer(_ offers: [SlotOffer], at time: Double) throws -> [OfferedSlot?] {
        try queue.write { db in try offers.map { try offer($0, db) } }
    }

    public func offerManual(job: String, requested: Int64, overlap: OverlapPolicy, pool: String?, at time: Double) throws
        -> (id: Int64, slot: Int64)
    {
        try queue.write { db in
            var slot = requested
            while true {
                let offer = SlotOffer(job: job, slot: slot, kind: .manual, readyAt: Double(requested), overlap: overlap, pool: pool)
                if let offered = try self.offer(offer, db) { return (offered.id, slot) }
                slot += 1
            }
        }
    }

    private func offer(_ offer: SlotOffer, _ db: Database) throws -> OfferedSlot? {
        // Only a scheduled slot's first attempt of a serial job can be skipped: the others
        // need no look at the job's runs.
        var skip: OverlapSkip?
        if offer.kind == .scheduled && offer.attempt == 1 && offer.serial {
            let row = try Row.fetchOne(
                try db.cachedStatement(
                    sql: """
                        SELECT
                            EXISTS (SELECT 1 FROM runs WHERE job = ?1 AND host IS NOT NULL AND status IN ('queued', 'running')) AS held,
                            EXISTS (SELECT 1 FROM runs WHERE job = ?1 AND \(Self.waiting)) AS waiting,
                            EXISTS (SELECT 1 FROM runs WHERE job = ?1 AND \(Self.waiting) AND attempt > 1) AS retry_waiting,
                            EXISTS (SELECT 1 FROM runs WHERE job = ?1 AND \(Self.waiting) AND kind <> 'catch-up') AS on_time_waiting
                        """),
                arguments: [offer.job])!
            skip = OverlapSkip.decide(
                offer,
                OverlapSkip.Activity(
                    held: row["held"], waiting: row["waiting"], retryWaiting: row["retry_waiting"],
                    onTimeWaiting: row["on_time_waiting"]))
        }
        let status: RunStatus = skip == nil ? .queued : .skipped
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO runs (job, slot, attempt, kind, status, reason, host, ready_at, serial, pool, retry_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            offer.job, offer.slot, offer.attempt, offer.kind.rawValue, status.rawValue, skip?.reason ?? offer.reason,
            skip == nil ? nil : host, offer.readyAt, offer.serial, offer.pool, offer.attempt > 1 ? offer.readyAt : nil,
        ])
        guard db.changesCount == 1 else { return nil }
        return OfferedSlot(id: db.lastInsertedRowID, status: status, reason: skip?.reason)
    }

    public func claim(jobs: Set<String>, limit: Int, at time: Double) throws -> [JobRun] {
        guard limit > 0, !jobs.isEmpty else { return [] }
        return try queue.write { db in
            let held = Set(
                try String.fetchAll(
                    db.cachedStatement(sql: "SELECT DISTINCT job FROM runs WHERE host IS NOT NULL AND status IN ('queued', 'running')")))
            var sizes: [String: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT name, size FROM pools")) { sizes[row["name"]] = row["size"] }
            var used: [String: Int] = [:]
            for row in try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT pool, count(*) AS n FROM runs WHERE host IS NOT NULL AND status IN ('queued', 'running')
                            AND pool IS NOT NULL GROUP BY pool
                        """))
            {
                used[row["pool"]] = row["n"]
            }
            var seenSerial: Set<String> = []
            var taken: [JobRun] = []
            let candidates = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT id, job, slot, kind, attempt, serial, pool FROM runs
                        WHERE \(Self.waiting) AND ready_at <= ? ORDER BY ready_at, id
                        """),
                arguments: [time])
            while taken.count < limit, let row = try candidates.next() {
                let job: String = row["job"]
                guard jobs.contains(job) else { continue }
                if row["serial"] as Bool {
                    // Only a serial job's oldest waiting run may start, and only when none of its runs is held.
                    guard seenSerial.insert(job).inserted, !held.contains(job) else { continue }
                }
                if let pool = row["pool"] as String? {
                    guard used[pool, default: 0] < sizes[pool, default: 0] else { continue }
                    used[pool, default: 0] += 1
                }
                taken.append(
                    JobRun(
                        id: row["id"], job: job, slot: row["slot"], kind: RunKind(rawValue: row["kind"]) ?? .scheduled,
                        status: .queued, host: host, attempt: row["attempt"]))
            }
            guard !taken.isEmpty else { return [] }
            try db.execute(
                sql: "UPDATE runs SET host = ?, lease_until = ? WHERE id IN (\(taken.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments([host, Date().timeIntervalSince1970 + lease] + taken.map { $0.id as any DatabaseValueConvertible }))
            return taken
        }
    }

    public func setPools(_ sizes: [String: Int]) throws {
        try queue.write { db in
            for (name, size) in sizes {
                try db.execute(
                    sql: "INSERT INTO pools (name, size) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET size = excluded.size",
                    arguments: [name, size])
            }
        }
    }

    // MARK: Daemons and hosts

    public func recordDaemon(_ heartbeat: DaemonHeartbeat) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO daemons (host, pid, started_at, last_tick, tick, max_running, stopped_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (host) DO UPDATE SET pid = excluded.pid, started_at = excluded.started_at,
                        last_tick = excluded.last_tick, tick = excluded.tick, max_running = excluded.max_running,
                        stopped_at = excluded.stopped_at
                    """,
                arguments: [
                    host, heartbeat.pid, heartbeat.startedAt, heartbeat.lastTick, heartbeat.tick, heartbeat.maxRunning,
                    heartbeat.stoppedAt,
                ])
        }
    }

    public func clusterStatus() throws -> ClusterStatus {
        let now = Date().timeIntervalSince1970
        return try queue.read { db in
            var running: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT host, count(*) AS n FROM runs WHERE host IS NOT NULL AND status IN ('queued', 'running') GROUP BY host")
            {
                running[row["host"]] = row["n"]
            }
            let daemons = try Row.fetchAll(db, sql: "SELECT * FROM daemons ORDER BY host").map { row in
                ClusterStatus.Daemon(
                    host: row["host"],
                    heartbeat: DaemonHeartbeat(
                        pid: row["pid"], startedAt: row["started_at"], lastTick: row["last_tick"], tick: row["tick"],
                        maxRunning: row["max_running"], stoppedAt: row["stopped_at"]),
                    running: running[row["host"], default: 0])
            }
            let pools = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.name, p.size, (SELECT count(*) FROM runs r WHERE r.pool = p.name AND r.host IS NOT NULL
                        AND r.status IN ('queued', 'running')) AS held
                    FROM pools p ORDER BY p.name
                    """
            ).map { ClusterStatus.Pool(name: $0["name"], size: $0["size"], held: $0["held"]) }
            let waiting = try Row.fetchOne(
                db, sql: "SELECT count(*) AS n, min(ready_at) AS oldest FROM runs WHERE \(Self.waiting) AND ready_at <= ?",
                arguments: [now])
            return ClusterStatus(
                now: nil, daemons: daemons, pools: pools, waiting: waiting?["n"] ?? 0, oldestWaiting: waiting?["oldest"])
        }
    }

    public func runsPerHost(job: String?) throws -> [HostRuns] {
        try queue.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT COALESCE(host, '-') AS host, status, count(*) AS n, count(started_at) AS started,
                        min(started_at) AS first_start, max(CASE WHEN started_at IS NOT NULL THEN finished_at END) AS last_end
                    FROM runs WHERE ?1 IS NULL OR job = ?1 GROUP BY 1, 2
                    """,
                arguments: [job])
            return HostRuns.grouped(
                rows.map { ($0["host"], $0["status"], $0["n"], $0["started"], $0["first_start"], $0["last_end"]) })
        }
    }
}
