import Foundation
import NightshiftCore
import PostgresNIO

/// Offers, claims, cluster-wide pools and daemon heartbeats in PostgreSQL.
///
/// A due slot is a row first *offered* (`queued`, `host` NULL, `ready_at` set), then
/// *claimed* by one daemon with a free place (`host` set, under a lease), then started. The
/// claim is one statement: waiting rows whose time has come, of jobs the daemon knows, one
/// per serial job with no held run, within each pool's free places, oldest first, `LIMIT`
/// the daemon's free places, locked `FOR UPDATE SKIP LOCKED` so that two daemons claiming
/// at once take different rows and never wait for each other. A pool's places are a counter
/// in `nightshift_pools` taken by compare-and-set (`held + n <= size`, re-checked on the
/// newest row version under its lock) and given back by the statement that ends the run
/// (`finish`) or records it interrupted (`snapshot`), so the limit holds across hosts
/// without any daemon guessing.
extension PostgresStore {
    // Waiting runs, pools and daemons. `host` and `claimed_at` are NULL while a run waits.
    static let capacitySchema = [
        "ALTER TABLE nightshift_runs ALTER COLUMN host DROP NOT NULL",
        "ALTER TABLE nightshift_runs ALTER COLUMN claimed_at DROP NOT NULL",
        "ALTER TABLE nightshift_runs ADD COLUMN ready_at double precision",
        "ALTER TABLE nightshift_runs ADD COLUMN serial boolean NOT NULL DEFAULT true",
        "ALTER TABLE nightshift_runs ADD COLUMN pool text",
        """
        CREATE INDEX nightshift_runs_waiting ON nightshift_runs (ready_at, id)
            WHERE host IS NULL AND status = 'queued'
        """,
        """
        CREATE TABLE nightshift_pools (
            name text PRIMARY KEY,
            size integer NOT NULL,
            held integer NOT NULL DEFAULT 0
        )
        """,
        """
        CREATE TABLE nightshift_daemons (
            host text PRIMARY KEY,
            pid integer NOT NULL,
            started_at double precision NOT NULL,
            last_tick double precision NOT NULL,
            tick double precision NOT NULL,
            max_running integer,
            stopped_at double precision
        )
        """,
    ]

    // MARK: Time and control

    public func snapshot(at time: Double, lateAfter: Int64) async throws -> StoreSnapshot {
        // The sweep of expired leases rides along: one round trip per tick. The other parts
        // of the statement see the rows as they were; an expired row was not waiting anyway.
        let rows = try await rows(
            """
            WITH t AS (SELECT COALESCE(\(override)::float8, extract(epoch FROM now())::float8) AS now),
            expired AS (
                UPDATE nightshift_runs r SET status = 'interrupted', finished_at = t.now, lease_until = NULL,
                    reason = 'the daemon on ' || r.host || ' stopped renewing its lease'
                        || CASE WHEN r.status = 'running' THEN ' during the run' ELSE ' before the run started' END
                        || ' (recorded by ' || \(host) || ')'
                FROM t WHERE r.status IN ('queued', 'running') AND r.lease_until < t.now AND r.host <> \(host)
                RETURNING r.job, r.slot, r.host, r.pool
            ),
            released AS (
                UPDATE nightshift_pools p SET held = GREATEST(p.held - e.n, 0)
                FROM (SELECT pool, count(*) AS n FROM expired WHERE pool IS NOT NULL GROUP BY pool) e
                WHERE p.name = e.pool
            ),
            c AS (SELECT t.now - \(Double(lateAfter)) AS cutoff FROM t)
            SELECT t.now,
                (SELECT version FROM nightshift_control WHERE id = 1) AS version,
                (SELECT count(*) FROM nightshift_runs l WHERE \(unescaped: Self.forPlace) AND l.ready_at <= t.now) AS waiting,
                EXISTS (\(unescaped: Self.late)) AS late,
                (SELECT COALESCE(json_agg(expired), '[]')::text FROM expired) AS interrupted
            FROM t
            """)
        guard let row = rows.first else { throw StoreError("\(location): the clock query returned no row") }
        return StoreSnapshot(
            now: try row["now"].decode(Double.self), controlVersion: try row["version"].decode(Int64.self),
            waiting: Int(try row["waiting"].decode(Int64.self)), late: try row["late"].decode(Bool.self),
            interrupted: try JSONDecoder().decode(
                [LeaseExpiry].self, from: Data(try row["interrupted"].decode(String.self).utf8)))
    }

    public func skipLate(lateAfter: Int64, at time: Double) async throws -> [JobRun] {
        // A row another daemon claims or skips meanwhile is re-checked under its lock, so
        // each is recorded once. The reason has MissedWait's words.
        let rows = try await rows(
            """
            WITH t AS (SELECT COALESCE(\(override)::float8, extract(epoch FROM now())::float8) AS now),
            c AS (SELECT t.now - \(Double(lateAfter)) AS cutoff FROM t)
            UPDATE nightshift_runs w SET status = 'skipped', host = \(host), finished_at = t.now,
                reason = 'missed: waited ' || floor(t.now - w.ready_at)::bigint || ' s for a free place'
                    || CASE WHEN w.pool IS NULL THEN '' WHEN w.pool LIKE \(PoolName.jobPrefix + "%") THEN ' (max_running_cluster)'
                        ELSE ' (pool ' || w.pool || ')' END
                    || ', more than late_after (' || \(DurationText.text(lateAfter)) || ')'
            FROM t WHERE w.id IN (\(unescaped: Self.late)) AND w.host IS NULL AND w.status = 'queued'
            RETURNING w.*
            """)
        return try rows.map(record)
    }

    /// A waiting run (alias `l`) that waits for a place: not a serial job's run behind a held
    /// run of the job, which waits for the job.
    /// The job list is one uncorrelated subquery (hashed once), not a probe per row.
    private static let forPlace = """
        l.host IS NULL AND l.status = 'queued' AND (NOT l.serial OR l.job NOT IN (SELECT h.job FROM nightshift_runs h
            WHERE h.status IN ('queued', 'running') AND h.host IS NOT NULL))
        """

    /// The ids of runs that waited for a place since before `c.cutoff` (now - late_after).
    private static let late = "SELECT l.id FROM nightshift_runs l, c WHERE \(forPlace) AND l.ready_at < c.cutoff"

    // MARK: Offers and claims

    public func offer(_ offers: [SlotOffer], at time: Double) async throws -> [OfferedSlot?] {
        guard !offers.isEmpty else { return [] }
        // The policy decides each offer against the rows before the statement, so two offers
        // of one job go one statement each, in order.
        guard Set(offers.map(\.job)).count == offers.count else {
            var results: [OfferedSlot?] = []
            for offer in offers { results += try await self.offer([offer], at: time) }
            return results
        }
        // Arrays cannot carry NULLs here, so: no pool or reason = ''. Rows go in (job, slot)
        // order, the same on every daemon, so two daemons offering overlapping batches wait
        // for each other in one order and never deadlock. The CASE is OverlapSkip.decide.
        let rows = try await rows(
            """
            WITH t AS (SELECT COALESCE(\(override)::float8, extract(epoch FROM now())::float8) AS now),
            o AS (
                SELECT * FROM unnest(\(offers.map(\.job))::text[], \(offers.map(\.slot))::bigint[],
                    \(offers.map { Int32($0.attempt) })::integer[], \(offers.map(\.kind.rawValue))::text[],
                    \(offers.map(\.readyAt))::float8[], \(offers.map(\.overlap.rawValue))::text[],
                    \(offers.map { $0.pool ?? "" })::text[], \(offers.map { $0.reason ?? "" })::text[])
                    AS o(job, slot, attempt, kind, ready_at, overlap, pool, reason)
            ),
            d AS (
                SELECT o.*, CASE
                    WHEN o.kind <> 'scheduled' OR o.attempt > 1 OR o.overlap = 'allow' THEN 0
                    WHEN o.overlap = 'skip' THEN
                        CASE WHEN a.held THEN 1 WHEN a.retry_waiting THEN 2 WHEN a.waiting THEN 1 ELSE 0 END
                    WHEN o.overlap = 'queue' AND a.on_time_waiting THEN 3
                    ELSE 0 END AS skip
                FROM o CROSS JOIN LATERAL (SELECT
                    EXISTS (SELECT 1 FROM nightshift_runs r WHERE r.job = o.job AND r.host IS NOT NULL
                        AND r.status IN ('queued', 'running')) AS held,
                    EXISTS (SELECT 1 FROM nightshift_runs r WHERE r.job = o.job AND r.host IS NULL AND r.status = 'queued') AS waiting,
                    EXISTS (SELECT 1 FROM nightshift_runs r WHERE r.job = o.job AND r.host IS NULL AND r.status = 'queued'
                        AND r.attempt > 1) AS retry_waiting,
                    EXISTS (SELECT 1 FROM nightshift_runs r WHERE r.job = o.job AND r.host IS NULL AND r.status = 'queued'
                        AND r.kind <> 'catch-up') AS on_time_waiting
                ) a
            )
            INSERT INTO nightshift_runs (job, slot, attempt, kind, status, reason, host, claimed_at, ready_at, serial, pool, retry_at)
            SELECT d.job, d.slot, d.attempt, d.kind, CASE WHEN d.skip = 0 THEN 'queued' ELSE 'skipped' END,
                CASE d.skip WHEN 1 THEN \(OverlapSkip.running.reason) WHEN 2 THEN \(OverlapSkip.retryWaiting.reason)
                    WHEN 3 THEN \(OverlapSkip.queueFull.reason) ELSE NULLIF(d.reason, '') END,
                CASE WHEN d.skip = 0 THEN NULL ELSE \(host) END, CASE WHEN d.skip = 0 THEN NULL ELSE t.now END,
                d.ready_at, d.overlap <> 'allow', NULLIF(d.pool, ''), CASE WHEN d.attempt > 1 THEN d.ready_at END
            FROM d, t
            ORDER BY d.job, d.slot
            ON CONFLICT (job, slot, attempt) DO NOTHING
            RETURNING id, job, slot, attempt, status, reason
            """)
        var made: [String: OfferedSlot] = [:]
        for row in rows {
            let key = "\(try row["job"].decode(String.self))\u{0}\(try row["slot"].decode(Int64.self))"
            let status = RunStatus(rawValue: try row["status"].decode(String.self)) ?? .queued
            made[key] = OfferedSlot(
                id: try row["id"].decode(Int64.self), status: status,
                reason: status == .skipped ? try row["reason"].decode(String?.self) : nil)
        }
        return offers.map { made["\($0.job)\u{0}\($0.slot)"] }
    }

    public func offerManual(job: String, requested: Int64, overlap: OverlapPolicy, pool: String?, at time: Double)
        async throws -> (id: Int64, slot: Int64)
    {
        var slot = requested
        while true {
            let offer = SlotOffer(job: job, slot: slot, kind: .manual, readyAt: Double(requested), overlap: overlap, pool: pool)
            if let offered = try await self.offer([offer], at: time).first ?? nil { return (offered.id, slot) }
            slot += 1
        }
    }

    public func claim(jobs: Set<String>, limit: Int, at time: Double) async throws -> [JobRun] {
        guard limit > 0, !jobs.isEmpty else { return [] }
        let known = Array(jobs)
        // The known jobs are a set joined by hash, not `= ANY(array)` scanned for every row:
        // a daemon may know thousands of jobs, and claims many times during a burst.
        let rows = try await rows(
            """
            WITH t AS (SELECT COALESCE(\(override)::float8, extract(epoch FROM now())::float8) AS now),
            known AS (SELECT DISTINCT unnest(\(known)::text[]) AS job),
            held AS (
                SELECT DISTINCT job FROM nightshift_runs
                WHERE host IS NOT NULL AND status IN ('queued', 'running') AND job IN (SELECT job FROM known)
            ),
            eligible AS (
                SELECT w.id, w.pool, w.ready_at FROM (
                    SELECT w.id, w.job, w.pool, w.ready_at, w.serial,
                        row_number() OVER (PARTITION BY w.job ORDER BY w.ready_at, w.id) AS in_job
                    FROM nightshift_runs w, t
                    WHERE w.host IS NULL AND w.status = 'queued' AND w.ready_at <= t.now AND w.job IN (SELECT job FROM known)
                ) w
                WHERE NOT w.serial OR (w.in_job = 1 AND w.job NOT IN (SELECT job FROM held))
            ),
            fits AS (
                SELECT e.id FROM (
                    SELECT e.*, row_number() OVER (PARTITION BY e.pool ORDER BY e.ready_at, e.id) AS in_pool FROM eligible e
                ) e
                LEFT JOIN nightshift_pools p ON p.name = e.pool
                WHERE e.pool IS NULL OR e.in_pool <= p.size - p.held
            ),
            picked AS (
                SELECT w.id, w.pool FROM nightshift_runs w
                WHERE w.id IN (SELECT id FROM fits) AND w.host IS NULL AND w.status = 'queued'
                ORDER BY w.ready_at, w.id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ),
            need AS (SELECT pool, count(*) AS n FROM picked WHERE pool IS NOT NULL GROUP BY pool),
            locked AS (SELECT name FROM nightshift_pools WHERE name IN (SELECT pool FROM need) ORDER BY name FOR UPDATE),
            took AS (
                UPDATE nightshift_pools p SET held = p.held + need.n FROM need, locked
                WHERE p.name = need.pool AND locked.name = p.name AND p.held + need.n <= p.size
                RETURNING p.name
            )
            UPDATE nightshift_runs r SET host = \(host), claimed_at = t.now, lease_until = t.now + \(lease)::float8
            FROM picked, t
            WHERE r.id = picked.id AND (picked.pool IS NULL OR picked.pool IN (SELECT name FROM took))
            RETURNING r.*
            """)
        return try rows.map(record).sorted { $0.id < $1.id }
    }

    public func setPools(_ sizes: [String: Int]) async throws {
        guard !sizes.isEmpty else { return }
        let names = Array(sizes.keys)
        try await execute(
            """
            INSERT INTO nightshift_pools (name, size)
            SELECT * FROM unnest(\(names)::text[], \(names.map { Int32(sizes[$0]!) })::integer[])
            ON CONFLICT (name) DO UPDATE SET size = excluded.size
            """)
    }

    // MARK: Daemons and hosts

    public func recordDaemon(_ heartbeat: DaemonHeartbeat) async throws {
        try await execute(
            """
            INSERT INTO nightshift_daemons (host, pid, started_at, last_tick, tick, max_running, stopped_at)
            VALUES (\(host), \(heartbeat.pid), \(heartbeat.startedAt), \(heartbeat.lastTick), \(heartbeat.tick),
                \(heartbeat.maxRunning.map(Int32.init)), \(heartbeat.stoppedAt))
            ON CONFLICT (host) DO UPDATE SET pid = excluded.pid, started_at = excluded.started_at,
                last_tick = excluded.last_tick, tick = excluded.tick, max_running = excluded.max_running,
                stopped_at = excluded.stopped_at
            """)
    }

    public func clusterStatus() async throws -> ClusterStatus {
        let daemons = try await rows(
            """
            SELECT d.*, (SELECT count(*) FROM nightshift_runs r WHERE r.host = d.host
                AND r.status IN ('queued', 'running')) AS running
            FROM nightshift_daemons d ORDER BY d.host
            """
        ).map { row in
            ClusterStatus.Daemon(
                host: try row["host"].decode(String.self),
                heartbeat: DaemonHeartbeat(
                    pid: try row["pid"].decode(Int32.self), startedAt: try row["started_at"].decode(Double.self),
                    lastTick: try row["last_tick"].decode(Double.self), tick: try row["tick"].decode(Double.self),
                    maxRunning: try row["max_running"].decode(Int32?.self).map(Int.init),
                    stoppedAt: try row["stopped_at"].decode(Double?.self)),
                running: Int(try row["running"].decode(Int64.self)))
        }
        let pools = try await rows("SELECT name, size, held FROM nightshift_pools ORDER BY name").map { row in
            ClusterStatus.Pool(
                name: try row["name"].decode(String.self), size: Int(try row["size"].decode(Int32.self)),
                held: Int(try row["held"].decode(Int32.self)))
        }
        let waiting = try await rows(
            """
            WITH t AS (SELECT COALESCE(\(override)::float8, extract(epoch FROM now())::float8) AS now)
            SELECT t.now, count(w.id) AS n, min(w.ready_at) AS oldest
            FROM t LEFT JOIN nightshift_runs w ON w.host IS NULL AND w.status = 'queued' AND w.ready_at <= t.now
            GROUP BY t.now
            """)
        let row = waiting.first
        return ClusterStatus(
            now: try row?["now"].decode(Double.self), daemons: daemons, pools: pools,
            waiting: Int(try row?["n"].decode(Int64.self) ?? 0), oldestWaiting: try row?["oldest"].decode(Double?.self))
    }

    public func runsPerHost(job: String?) async throws -> [HostRuns] {
        let rows = try await rows(
            """
            SELECT COALESCE(host, '-') AS host, status, count(*) AS n, count(started_at) AS started,
                min(started_at) AS first_start, max(CASE WHEN started_at IS NOT NULL THEN finished_at END) AS last_end
            FROM nightshift_runs WHERE \(job)::text IS NULL OR job = \(job) GROUP BY 1, 2
            """)
        return HostRuns.grouped(
            try rows.map {
                (
                    try $0["host"].decode(String.self), try $0["status"].decode(String.self),
                    Int(try $0["n"].decode(Int64.self)), Int(try $0["started"].decode(Int64.self)),
                    try $0["first_start"].decode(Double?.self), try $0["last_end"].decode(Double?.self)
                )
            })
    }
}
