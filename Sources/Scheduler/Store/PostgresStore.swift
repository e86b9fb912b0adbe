import Foundation
import Logging
import NightshiftCore
import PostgresNIO
import Synchronization

/// Job state and run history in PostgreSQL, shared by daemons on several hosts.
///
/// Every decision that needs the time reads the database's clock (`now()`) in the same
/// statement that acts on it: a slot is offered by one `INSERT … ON CONFLICT DO NOTHING`,
/// claimed by one `UPDATE` of at most the daemon's free places of waiting runs that are
/// due (`FOR UPDATE SKIP LOCKED`, PostgresStore+Capacity), a lease is renewed or found
/// expired by one `UPDATE`. No statement depends on a session surviving between two queries
/// (no session advisory locks, no prepared state), so a transaction-mode pooler
/// (PgBouncer) may sit between the daemons and the database.
public final class PostgresStore: SchedulerStore {
    public let location: String
    public let host: String
    public let lease: Double
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let clockOverride: (any WallClock)?
    private let password: String?
    private let timeout: Duration
    private let statements = Atomic<Int>(0)

    /// Statements sent since the store was opened, each one round trip (schema migration
    /// not counted); `nightshift-bench scheduler` reports them per slot.
    public var statementCount: Int { statements.load(ordering: .relaxed) }

    /// Connects and creates or migrates the schema.
    /// - Parameters:
    ///   - location: the database.
    ///   - password: from `PostgresLocation.password(environment:passwordFile:)`.
    ///   - host: recorded on every claim; the machine's host name by default.
    ///   - lease: seconds a run stays held without renewal.
    ///   - clockOverride: tests only: read "now" from this clock instead of the database's.
    ///   - timeout: how long one statement may take, connecting included.
    /// - Throws: `ConfigurationError` naming the database (never the password).
    public init(
        location: PostgresLocation, password: String?, host: String = StoreHost.current, lease: Double = 15,
        logger: Logger = Logger(label: "nightshift.store", factory: { _ in SwiftLogNoOpLogHandler() }),
        clockOverride: (any WallClock)? = nil, timeout: Duration = .seconds(10)
    ) async throws {
        self.location = location.description
        self.host = host
        self.lease = lease
        self.clockOverride = clockOverride
        self.password = password
        self.timeout = timeout
        var configuration = location.clientConfiguration(password: password, timeout: timeout)
        configuration.options.maximumConnections = 4
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
        do {
            // One connection of its own first: the pool retries a failing connection until
            // a query gives up, which would turn "password authentication failed" into a timeout.
            try await Self.migrate(location.connectionConfiguration(password: password, timeout: timeout), logger: logger)
        } catch {
            await close()
            throw ConfigurationError("\(location): cannot open the scheduler store: \(describe(error))")
        }
    }

    /// Opens the store a jobs file names, password from the environment or its files.
    public static func open(
        settings: SchedulerSettings, environment: [String: String], host: String, logger: Logger
    ) async throws -> PostgresStore {
        guard let url = settings.store else { throw ConfigurationError("no [scheduler] store URL") }
        let location = try PostgresLocation(url: url)
        let password = try location.password(environment: environment, passwordFile: settings.passwordFile)
        return try await PostgresStore(location: location, password: password, host: host, lease: settings.lease, logger: logger)
    }

    public func close() async {
        runner.cancel()
        await runner.value
    }

    // A store dropped without `close()` (tests, errors) still shuts its connections down.
    deinit { runner.cancel() }

    // MARK: Schema

    private static func migrate(_ configuration: PostgresConnection.Configuration, logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await connection.withTransaction(logger: logger) { db in
                // A transaction-scoped lock: daemons starting together migrate one at a
                // time, and it ends with the transaction (pooler-safe).
                try await db.query("SELECT pg_advisory_xact_lock(727001)", logger: logger)
                try await db.query("CREATE TABLE IF NOT EXISTS nightshift_schema (version integer NOT NULL)", logger: logger)
                var version = 0
                for try await value in try await db.query("SELECT version FROM nightshift_schema", logger: logger)
                    .decode(Int.self)
                {
                    version = value
                }
                if version < 1 {
                    for statement in schemaV1 { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                    try await db.query("INSERT INTO nightshift_schema (version) VALUES (1)", logger: logger)
                }
                if version < 2 {
                    for statement in schemaV2 { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                    try await db.query("UPDATE nightshift_schema SET version = 2", logger: logger)
                }
                if version < 3 {
                    for statement in schemaV3 { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                    try await db.query("UPDATE nightshift_schema SET version = 3", logger: logger)
                }
                if version < 4 {
                    for statement in capacitySchema { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                    try await db.query("UPDATE nightshift_schema SET version = 4", logger: logger)
                }
                for statement in notificationSchema { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    // `attempt` is 1 for a slot's first run; retries add rows for attempts 2, 3… of the
    // same slot, each claimed by the host that held the previous attempt.
    private static let schemaV1 = [
        """
        CREATE TABLE nightshift_job_state (
            job text PRIMARY KEY,
            cursor bigint NOT NULL,
            paused boolean
        )
        """,
        """
        CREATE TABLE nightshift_runs (
            id bigserial PRIMARY KEY,
            job text NOT NULL,
            slot bigint NOT NULL,
            attempt integer NOT NULL DEFAULT 1,
            kind text NOT NULL,
            status text NOT NULL,
            reason text,
            host text NOT NULL,
            claimed_at double precision NOT NULL,
            lease_until double precision,
            started_at double precision,
            finished_at double precision,
            exit_code integer,
            signal integer,
            pid integer,
            pid_start text,
            log text,
            UNIQUE (job, slot, attempt)
        )
        """,
        "CREATE INDEX nightshift_runs_unfinished ON nightshift_runs (job) WHERE status IN ('queued', 'running')",
        "CREATE INDEX nightshift_runs_by_job ON nightshift_runs (job, id)",
        """
        CREATE TABLE nightshift_triggers (
            id bigserial PRIMARY KEY,
            job text NOT NULL,
            requested_at bigint NOT NULL,
            requested_by text NOT NULL
        )
        """,
        "CREATE TABLE nightshift_control (id integer PRIMARY KEY, version bigint NOT NULL)",
        "INSERT INTO nightshift_control (id, version) VALUES (1, 0)",
    ]

    // One status vocabulary with `nightshift run` (NightshiftCore.RunStatus), and what the
    // child's receipt says.
    private static let schemaV2 = [
        "ALTER TABLE nightshift_runs ADD COLUMN run_id text",
        "ALTER TABLE nightshift_runs ADD COLUMN writes_sent integer",
        "ALTER TABLE nightshift_runs ADD COLUMN credits_moved integer",
        "UPDATE nightshift_runs SET status = 'timed out' WHERE status = 'timed-out'",
        "UPDATE nightshift_runs SET status = 'launch failed' WHERE status = 'launch-failed'",
    ]

    // Retries: the (job, slot, attempt) key was there from v1; a retry's start is recorded.
    private static let schemaV3 = [
        "ALTER TABLE nightshift_runs ADD COLUMN IF NOT EXISTS retry_at double precision"
    ]

    // MARK: Helpers

    /// The clock every statement reads: the database's, or the test's override.
    var override: Double? { clockOverride?.now() }

    /// Runs a statement with the store's timeout; an unreachable database is an error, not a hang.
    private func bounded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = self.timeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw StoreError("\(self.location): no answer within \(timeout)")
            }
            return value
        }
    }

    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        statements.add(1, ordering: .relaxed)
        do {
            return try await bounded {
                var result: [PostgresRandomAccessRow] = []
                for try await row in try await self.client.query(query) { result.append(row.makeRandomAccess()) }
                return result
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("\(location): \(describe(error))")
        }
    }

    func execute(_ query: PostgresQuery) async throws { _ = try await rows(query) }

    /// A message from a PostgresNIO error, the password removed.
    private func describe(_ error: any Error) -> String { PostgresLocation.describe(error, password: password) }

    func record(_ row: PostgresRandomAccessRow) throws -> JobRun {
        JobRun(
            id: try row["id"].decode(Int64.self), job: try row["job"].decode(String.self),
            slot: try row["slot"].decode(Int64.self),
            kind: RunKind(rawValue: try row["kind"].decode(String.self)) ?? .scheduled,
            status: RunStatus(recorded: try row["status"].decode(String.self)),
            reason: try row["reason"].decode(String?.self), startedAt: try row["started_at"].decode(Double?.self),
            finishedAt: try row["finished_at"].decode(Double?.self), exitCode: try row["exit_code"].decode(Int32?.self),
            signal: try row["signal"].decode(Int32?.self), pid: try row["pid"].decode(Int32?.self),
            log: try row["log"].decode(String?.self), host: try row["host"].decode(String?.self),
            runID: try row["run_id"].decode(String?.self), writesSent: try row["writes_sent"].decode(Int?.self),
            creditsMoved: try row["credits_moved"].decode(Int?.self), attempt: Int(try row["attempt"].decode(Int32.self)),
            retryAt: try row["retry_at"].decode(Double?.self))
    }

    // MARK: Job state

    public func cursors() async throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        for row in try await rows("SELECT job, cursor FROM nightshift_job_state") {
            result[try row["job"].decode(String.self)] = try row["cursor"].decode(Int64.self)
        }
        return result
    }

    public func setCursors(_ cursors: [String: Int64]) async throws {
        let jobs = Array(cursors.keys)
        try await execute(
            """
            INSERT INTO nightshift_job_state (job, cursor)
            SELECT * FROM unnest(\(jobs)::text[], \(jobs.map { cursors[$0]! })::bigint[])
            ON CONFLICT (job) DO UPDATE SET cursor = GREATEST(nightshift_job_state.cursor, excluded.cursor)
            """)
    }

    public func pausedOverrides() async throws -> [String: Bool] {
        var result: [String: Bool] = [:]
        for row in try await rows("SELECT job, paused FROM nightshift_job_state WHERE paused IS NOT NULL") {
            result[try row["job"].decode(String.self)] = try row["paused"].decode(Bool.self)
        }
        return result
    }

    public func setPaused(_ paused: Bool, job: String, now: Int64) async throws {
        try await execute(
            """
            WITH bump AS (UPDATE nightshift_control SET version = version + 1 WHERE id = 1)
            INSERT INTO nightshift_job_state (job, cursor, paused) VALUES (\(job), \(now), \(paused))
            ON CONFLICT (job) DO UPDATE SET paused = excluded.paused
            """)
    }

    // MARK: Runs

    public func record(_ claim: SlotClaim) async throws -> Int64? {
        // A row that will run is held under a lease from the start; a final row holds nothing.
        let holds: Double? = claim.status.isFinal ? nil : lease
        let rows = try await rows(
            """
            WITH t AS (SELECT COALESCE(\(override)::float8, extract(epoch FROM now())::float8) AS now)
            INSERT INTO nightshift_runs (job, slot, attempt, kind, status, reason, host, claimed_at, lease_until)
            SELECT \(claim.job), \(claim.slot), \(Int32(claim.attempt)), \(claim.kind.rawValue), \(claim.status.rawValue),
                \(claim.reason), \(host), t.now, t.now + \(holds)::float8
            FROM t
            ON CONFLICT (job, slot, attempt) DO NOTHING
            RETURNING id
            """)
        return try rows.first?["id"].decode(Int64.self)
    }

    public func markStarted(id: Int64, at time: Double, pid: Int32, pidStart: String?, log: String?) async throws {
        try await execute(
            """
            WITH t AS (SELECT COALESCE(\(override)::float8, extract(epoch FROM now())::float8) AS now)
            UPDATE nightshift_runs SET status = 'running', started_at = \(time), pid = \(pid), pid_start = \(pidStart),
                log = \(log), lease_until = t.now + \(lease)::float8
            FROM t WHERE id = \(id)
            """)
    }

    public func finish(id: Int64, _ end: RunEnd, at time: Double) async throws {
        // The run's pool place is given back if it held one (not when another host already
        // recorded it interrupted, which gave it back), and a serial job's next waiting run
        // waits for a place from now on: until now it waited for the job, which late_after
        // does not count.
        try await execute(
            """
            WITH old AS (SELECT id, job, pool, status IN ('queued', 'running') AND host IS NOT NULL AS held
                    FROM nightshift_runs WHERE id = \(id) FOR UPDATE),
            done AS (
                UPDATE nightshift_runs r SET status = \(end.status.rawValue), finished_at = \(time),
                    exit_code = \(end.exitCode), signal = \(end.signal), reason = COALESCE(\(end.reason), r.reason),
                    lease_until = NULL, run_id = \(end.runID), writes_sent = \(end.writesSent),
                    credits_moved = \(end.creditsMoved)
                FROM old WHERE r.id = old.id
                RETURNING old.id, old.job, old.pool, old.held
            ),
            released AS (
                UPDATE nightshift_pools p SET held = GREATEST(p.held - 1, 0) FROM done WHERE done.held AND p.name = done.pool
            ),
            bumped AS (
                UPDATE nightshift_runs w SET ready_at = GREATEST(w.ready_at, \(time))
                FROM done WHERE w.job = done.job AND w.id <> done.id AND w.host IS NULL AND w.status = 'queued' AND w.serial
            )
            SELECT 1
            """)
    }

    public func renewLeases(ids: [Int64]) async throws -> Set<Int64> {
        let rows = try await rows(
            """
            WITH t AS (SELECT COALESCE(\(override)::float8, extract(epoch FROM now())::float8) AS now)
            UPDATE nightshift_runs SET lease_until = t.now + \(lease)::float8
            FROM t WHERE id = ANY(\(ids)) AND host = \(host) AND status IN ('queued', 'running')
            RETURNING id
            """)
        let renewed = Set(try rows.map { try $0["id"].decode(Int64.self) })
        return Set(ids).subtracting(renewed)
    }

    public func unfinishedRuns() async throws -> [UnfinishedRun] {
        let rows = try await rows(
            """
            SELECT * FROM nightshift_runs WHERE status IN ('queued', 'running') AND host = \(host) ORDER BY id
            """)
        return try rows.map {
            UnfinishedRun(
                record: try record($0), pidStart: try $0["pid_start"].decode(String?.self),
                leaseUntil: try $0["lease_until"].decode(Double?.self))
        }
    }

    // MARK: History

    public func history(job: String?, limit: Int) async throws -> [JobRun] {
        let rows: [PostgresRandomAccessRow]
        if let job {
            rows = try await self.rows("SELECT * FROM nightshift_runs WHERE job = \(job) ORDER BY id DESC LIMIT \(limit)")
        } else {
            rows = try await self.rows("SELECT * FROM nightshift_runs ORDER BY id DESC LIMIT \(limit)")
        }
        return try rows.map(record)
    }

    public func lastRuns() async throws -> [String: JobRun] {
        let rows = try await rows(
            """
            SELECT DISTINCT ON (job) * FROM nightshift_runs WHERE status <> 'skipped' ORDER BY job, id DESC
            """)
        var result: [String: JobRun] = [:]
        for row in rows {
            let run = try record(row)
            result[run.job] = run
        }
        return result
    }

    public func prune(before cutoff: Int64) async throws -> [String] {
        let rows = try await rows(
            """
            WITH gone AS (DELETE FROM nightshift_daemons WHERE last_tick < \(cutoff))
            DELETE FROM nightshift_runs WHERE slot < \(cutoff) AND status NOT IN ('queued', 'running')
            RETURNING log
            """)
        return try rows.compactMap { try $0["log"].decode(String?.self) }
    }

    // MARK: Triggers

    public func addTrigger(job: String, at time: Int64) async throws {
        try await execute(
            """
            WITH bump AS (UPDATE nightshift_control SET version = version + 1 WHERE id = 1)
            INSERT INTO nightshift_triggers (job, requested_at, requested_by) VALUES (\(job), \(time), \(host))
            """)
    }

    public func takeTriggers(jobs: Set<String>) async throws -> [(job: String, requestedAt: Int64)] {
        // DELETE … RETURNING hands each trigger to exactly one daemon.
        let rows = try await rows(
            """
            DELETE FROM nightshift_triggers WHERE job = ANY(\(Array(jobs)))
            RETURNING id, job, requested_at
            """)
        return try rows.map { (id: try $0["id"].decode(Int64.self), job: try $0["job"].decode(String.self), at: try $0["requested_at"].decode(Int64.self)) }
            .sorted { $0.id < $1.id }
            .map { ($0.job, $0.at) }
    }
}

/// A store operation that failed; the message names the database, never its password.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
