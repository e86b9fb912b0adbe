import Foundation
import Logging
import NightshiftConfig
import NightshiftCore
import PostgresNIO
import RunRecords
import Scheduler
import ScriptRuntime

/// Run records and audit rows of every host, copied into PostgreSQL after each run ends.
///
/// Each host's audit.sqlite stays the source of truth, written before every write is sent;
/// this store only receives copies, keyed by (host, run id) and (host, run id, row), so
/// copying the same rows twice changes nothing. One connection per store; every statement
/// stands alone (no session state), so a transaction-mode pooler may sit in between.
public final class SharedRecordsStore: Sendable {
    /// The database, without a password, for messages.
    public let location: String
    private let connection: PostgresConnection
    private let password: String?
    private let timeout: Duration
    private let logger: Logger

    private init(location: String, connection: PostgresConnection, password: String?, timeout: Duration, logger: Logger) {
        self.location = location
        self.connection = connection
        self.password = password
        self.timeout = timeout
        self.logger = logger
    }

    /// Connects and creates the tables if they are missing.
    /// - Parameters:
    ///   - password: from ``SharedRecordsSettings/password(environment:)``.
    ///   - timeout: how long connecting, and then each statement, may take.
    /// - Throws: `StoreError` naming the database and the reason, never the password.
    public static func open(
        _ settings: SharedRecordsSettings, password: String?, timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "nightshift.records", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> SharedRecordsStore {
        let location = settings.location.description
        let connection: PostgresConnection
        do {
            let configuration = try settings.location.connectionConfiguration(password: password, timeout: timeout)
            connection = try await Deadline.run(timeout, describing: "connecting") {
                try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
            }
        } catch {
            throw StoreError("\(location): \(PostgresLocation.describe(error, password: password))")
        }
        let store = SharedRecordsStore(
            location: location, connection: connection, password: password, timeout: timeout, logger: logger)
        do {
            try await store.bounded { try await store.migrate() }
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Closes the connection.
    public func close() async {
        try? await connection.close()
    }

    // MARK: Schema

    private func migrate() async throws {
        try await connection.withTransaction(logger: logger) { db in
            // Transaction-scoped: hosts starting together migrate one at a time (pooler-safe).
            // The scheduler's store uses 727001 and a version table of its own.
            try await db.query("SELECT pg_advisory_xact_lock(727002)", logger: logger)
            try await db.query(
                "CREATE TABLE IF NOT EXISTS nightshift_records_schema (version integer NOT NULL)", logger: logger)
            var version = 0
            for try await value in try await db.query("SELECT version FROM nightshift_records_schema", logger: logger)
                .decode(Int.self)
            {
                version = value
            }
            if version < 1 {
                for statement in Self.schemaV1 { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await db.query("INSERT INTO nightshift_records_schema (version) VALUES (1)", logger: logger)
            }
            if version < 2 {
                // REPL sessions were copied as `ok` before 0.2.0; they ended well: `succeeded`.
                try await db.query("UPDATE nightshift_audit_runs SET status = 'succeeded' WHERE status = 'ok'", logger: logger)
                try await db.query("UPDATE nightshift_records_schema SET version = 2", logger: logger)
            }
            if version < 3 {
                // Plans are used once across every host that shares these records.
                try await db.query(
                    """
                    CREATE TABLE nightshift_plan_uses (
                        id text PRIMARY KEY,
                        digest text NOT NULL,
                        state text NOT NULL,
                        actor text NOT NULL,
                        host text,
                        at text NOT NULL,
                        ended_at text,
                        run_id text,
                        writes_sent bigint NOT NULL DEFAULT 0,
                        detail text
                    )
                    """, logger: logger)
                try await db.query("UPDATE nightshift_records_schema SET version = 3", logger: logger)
            }
            if version < 4 {
                // Fleets: each run and write names its panel, each run its fleet, each write
                // the plan it applied (audit.sqlite has kept them since its v7 and v9).
                for statement in Self.schemaV4 { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await db.query("UPDATE nightshift_records_schema SET version = 4", logger: logger)
            }
        }
    }

    // Times stay the ISO 8601 text of audit.sqlite (UTC, milliseconds, one width), which sorts
    // as time does. `seq` is the write's row number in its host's audit.sqlite.
    private static let schemaV1 = [
        """
        CREATE TABLE nightshift_audit_runs (
            host text NOT NULL,
            id text NOT NULL,
            script_path text NOT NULL,
            script_hash text NOT NULL,
            arguments text NOT NULL,
            grant_text text NOT NULL,
            mode text NOT NULL,
            started_at text NOT NULL,
            ended_at text,
            status text NOT NULL,
            output text NOT NULL,
            error text,
            modules text NOT NULL,
            pid integer,
            process_start bigint,
            shipped_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (host, id)
        )
        """,
        "CREATE INDEX nightshift_audit_runs_by_start ON nightshift_audit_runs (started_at)",
        """
        CREATE TABLE nightshift_audit_writes (
            host text NOT NULL,
            run_id text NOT NULL,
            seq bigint NOT NULL,
            time text NOT NULL,
            script_path text NOT NULL,
            script_hash text NOT NULL,
            endpoint text NOT NULL,
            target text NOT NULL,
            parameters text NOT NULL,
            mode text NOT NULL,
            outcome text NOT NULL,
            answer text,
            credit_change bigint NOT NULL,
            credits_before bigint,
            credits_after bigint,
            location text,
            PRIMARY KEY (host, run_id, seq)
        )
        """,
        "CREATE INDEX nightshift_audit_writes_by_time ON nightshift_audit_writes (time)",
    ]

    private static let schemaV4 = [
        "ALTER TABLE nightshift_audit_runs ADD COLUMN panel text, ADD COLUMN fleet text",
        "ALTER TABLE nightshift_audit_writes ADD COLUMN panel text, ADD COLUMN plan_id text",
    ]

    private static let runColumns = [
        "host", "id", "script_path", "script_hash", "arguments", "grant_text", "mode", "started_at", "ended_at", "status",
        "output", "error", "modules", "pid", "process_start", "panel", "fleet",
    ]
    private static let writeColumns = [
        "host", "run_id", "seq", "time", "script_path", "script_hash", "endpoint", "target", "parameters", "mode",
        "outcome", "answer", "credit_change", "credits_before", "credits_after", "location", "panel", "plan_id",
    ]

    // MARK: Shipping

    /// Opens the store, copies what `audit` has not copied yet and closes it, all within
    /// `until` when given (what was committed by then stays; the rest goes next time).
    /// - Throws: `StoreError` naming the database and the reason, never the password.
    @discardableResult
    public static func ship(
        _ settings: SharedRecordsSettings, password: String?, from audit: AuditLog, host: String,
        until: ContinuousClock.Instant? = nil, timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "nightshift.records", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> Shipped {
        let work: @Sendable () async throws -> Shipped = {
            let store = try await open(settings, password: password, timeout: timeout, logger: logger)
            do {
                let shipped = try await store.ship(from: audit, host: host, until: until)
                await store.close()
                return shipped
            } catch {
                await store.close()
                throw error
            }
        }
        guard let until else { return try await work() }
        do {
            return try await Deadline.run(ContinuousClock.now.duration(to: until), describing: "copying runs", work)
        } catch let error as Deadline.Expired {
            throw StoreError("\(settings): \(error)")
        }
    }

    /// What one ``ship(from:host:until:batch:)`` copied.
    public struct Shipped: Sendable, Equatable {
        /// Runs copied (or copied again, after their status changed).
        public var runs = 0
        /// Their writes.
        public var writes = 0
        /// False when `until` came before every pending run was looked at.
        public var complete = true
    }

    /// Copies every run of `audit` whose current record is not here yet, with its writes,
    /// oldest first, and marks each in `audit` once the copy is committed. Runs still going
    /// are left for a later call.
    /// - Parameters:
    ///   - host: the host of runs recorded without one (before hosts were recorded).
    ///   - until: stop starting batches after this instant (what was committed stays).
    ///   - batch: runs per transaction.
    /// - Throws: `StoreError` when the database fails; what was committed before stays marked.
    @discardableResult
    public func ship(
        from audit: AuditLog, host: String, until: ContinuousClock.Instant? = nil, batch: Int = 50
    ) async throws -> Shipped {
        var shipped = Shipped()
        var position: AuditShipment.Position?
        repeat {
            if let until, ContinuousClock.now >= until {
                shipped.complete = false
                return shipped
            }
            let shipment = try audit.pendingShipment(after: position, limit: batch, host: host)
            if !shipment.runs.isEmpty {
                try await upsert(shipment)
                try audit.markShipped(shipment.runs)
                shipped.runs += shipment.runs.count
                shipped.writes += shipment.writes.count
            }
            position = shipment.next
        } while position != nil
        return shipped
    }

    private func upsert(_ shipment: AuditShipment) async throws {
        let encoder = JSONEncoder()
        let runs = String(decoding: try encoder.encode(shipment.runs.map(RunRow.init)), as: UTF8.self)
        let writes = String(decoding: try encoder.encode(shipment.writes.map(WriteRow.init)), as: UTF8.self)
        let runsSQL = Self.upsertSQL("nightshift_audit_runs", columns: Self.runColumns, key: 2, touch: "shipped_at = now()")
        let writesSQL = Self.upsertSQL("nightshift_audit_writes", columns: Self.writeColumns, key: 3, touch: nil)
        try await bounded {
            // One transaction: a run is never seen without its writes.
            try await self.connection.withTransaction(logger: self.logger) { db in
                try await db.query("\(unescaped: runsSQL.prefix)\(runs)\(unescaped: runsSQL.suffix)", logger: self.logger)
                try await db.query("\(unescaped: writesSQL.prefix)\(writes)\(unescaped: writesSQL.suffix)", logger: self.logger)
            }
        }
    }

    /// `INSERT … SELECT … FROM json_populate_recordset(NULL::table, <rows>::json) ON CONFLICT
    /// (key) DO UPDATE SET every other column`, split where the JSON parameter goes. One
    /// parameter holds every row, NULLs included, so a batch is one statement.
    private static func upsertSQL(
        _ table: String, columns: [String], key: Int, touch: String?
    ) -> (prefix: String, suffix: String) {
        let list = columns.joined(separator: ", ")
        let updates = columns.dropFirst(key).map { "\($0) = excluded.\($0)" } + (touch.map { [$0] } ?? [])
        return (
            "INSERT INTO \(table) (\(list)) SELECT \(list) FROM json_populate_recordset(NULL::\(table), ",
            "::json) ON CONFLICT (\(columns.prefix(key).joined(separator: ", "))) DO UPDATE SET "
                + updates.joined(separator: ", ")
        )
    }

    // MARK: Reading

    /// Every host's runs, newest first, filtered as ``AuditLog/runs(status:script:limit:unshipped:isAlive:)``
    /// filters (`script` is a case-insensitive substring).
    public func runs(
        status: RunStatus? = nil, script: String? = nil, limit: Int = 50
    ) async throws -> [RunRecords.RunRecord] {
        let status = status?.rawValue
        let columns = Self.runColumns.joined(separator: ", ")
        let rows = try await rows(
            """
            SELECT \(unescaped: columns) FROM nightshift_audit_runs
            WHERE (\(status)::text IS NULL OR status = \(status))
                AND (\(script)::text IS NULL OR script_path ILIKE '%' || \(script) || '%')
            ORDER BY started_at DESC, host, id LIMIT \(limit)
            """)
        return try rows.map { row in
            RunRecords.RunRecord(
                id: try row["id"].decode(String.self), scriptPath: try row["script_path"].decode(String.self),
                scriptHash: try row["script_hash"].decode(String.self), arguments: try row["arguments"].decode(String.self),
                grant: try row["grant_text"].decode(String.self), mode: try row["mode"].decode(String.self),
                startedAt: try row["started_at"].decode(String.self), endedAt: try row["ended_at"].decode(String?.self),
                status: RunStatus(recorded: try row["status"].decode(String.self)), output: try row["output"].decode(String.self),
                error: try row["error"].decode(String?.self), modules: try row["modules"].decode(String.self),
                process: try row["pid"].decode(Int32?.self).flatMap { pid in
                    try row["process_start"].decode(Int64?.self).map { ProcessIdentity(pid: pid, startTime: $0) }
                },
                host: try row["host"].decode(String.self), panel: try row["panel"].decode(String?.self),
                fleet: try row["fleet"].decode(String?.self))
        }
    }

    /// Every host's writes: the newest `limit` that match, oldest first (as ``AuditLog/writes(runID:endpoint:outcome:mode:limit:unshipped:)``).
    public func writes(
        runID: String? = nil, endpoint: String? = nil, outcome: String? = nil, mode: String? = nil, limit: Int = 200
    ) async throws -> [AuditEntry] {
        let columns = Self.writeColumns.joined(separator: ", ")
        let rows = try await rows(
            """
            SELECT * FROM (
                SELECT \(unescaped: columns) FROM nightshift_audit_writes
                WHERE (\(runID)::text IS NULL OR run_id = \(runID)) AND (\(endpoint)::text IS NULL OR endpoint = \(endpoint))
                    AND (\(outcome)::text IS NULL OR outcome = \(outcome)) AND (\(mode)::text IS NULL OR mode = \(mode))
                ORDER BY time DESC, host DESC, seq DESC LIMIT \(limit)
            ) newest ORDER BY time, host, seq
            """)
        return try rows.map { row in
            AuditEntry(
                id: try row["seq"].decode(Int64.self), time: try row["time"].decode(String.self),
                runID: try row["run_id"].decode(String.self), scriptPath: try row["script_path"].decode(String.self),
                scriptHash: try row["script_hash"].decode(String.self), endpoint: try row["endpoint"].decode(String.self),
                target: try row["target"].decode(String.self), parameters: try row["parameters"].decode(String.self),
                mode: try row["mode"].decode(String.self), outcome: try row["outcome"].decode(String.self),
                answer: try row["answer"].decode(String?.self), creditChange: Int(try row["credit_change"].decode(Int64.self)),
                creditsBefore: try row["credits_before"].decode(Int64?.self).map { Int($0) },
                creditsAfter: try row["credits_after"].decode(Int64?.self).map { Int($0) },
                location: try row["location"].decode(String?.self), host: try row["host"].decode(String.self),
                planID: try row["plan_id"].decode(String?.self), panel: try row["panel"].decode(String?.self))
        }
    }

    // MARK: Helpers

    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await bounded {
            var result: [PostgresRandomAccessRow] = []
            for try await row in try await self.connection.query(query, logger: self.logger) {
                result.append(row.makeRandomAccess())
            }
            return result
        }
    }

    /// Runs `body` within the store's timeout; every failure becomes a `StoreError` naming
    /// the database, with the password removed.
    private func bounded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await Deadline.run(timeout, describing: "a statement", body)
        } catch {
            if error is Deadline.Expired {
                // The statement may still be on the wire: the connection is no longer usable.
                await close()
            }
            throw StoreError("\(location): \(PostgresLocation.describe(error, password: password))")
        }
    }
}

/// A run as the JSON object `json_populate_recordset` reads (keys are column names).
private struct RunRow: Encodable {
    var host: String
    var id: String
    var script_path: String
    var script_hash: String
    var arguments: String
    var grant_text: String
    var mode: String
    var started_at: String
    var ended_at: String?
    var status: String
    var output: String
    var error: String?
    var modules: String
    var pid: Int32?
    var process_start: Int64?
    var panel: String?
    var fleet: String?

    init(_ run: RunRecords.RunRecord) {
        host = run.host ?? ""
        id = run.id
        script_path = run.scriptPath
        script_hash = run.scriptHash
        arguments = run.arguments
        grant_text = run.grant
        mode = run.mode
        started_at = run.startedAt
        ended_at = run.endedAt
        status = run.status.rawValue
        output = run.output
        error = run.error
        modules = run.modules
        pid = run.process?.pid
        process_start = run.process?.startTime
        panel = run.panel
        fleet = run.fleet
    }
}

/// A write as the JSON object `json_populate_recordset` reads.
private struct WriteRow: Encodable {
    var host: String
    var run_id: String
    var seq: Int64
    var time: String
    var script_path: String
    var script_hash: String
    var endpoint: String
    var target: String
    var parameters: String
    var mode: String
    var outcome: String
    var answer: String?
    var credit_change: Int
    var credits_before: Int?
    var credits_after: Int?
    var location: String?
    var panel: String?
    var plan_id: String?

    init(_ entry: AuditEntry) {
        host = entry.host ?? ""
        run_id = entry.runID
        seq = entry.id
        time = entry.time
        script_path = entry.scriptPath
        script_hash = entry.scriptHash
        endpoint = entry.endpoint
        target = entry.target
        parameters = entry.parameters
        mode = entry.mode
        outcome = entry.outcome
        answer = entry.answer
        credit_change = entry.creditChange
        credits_before = entry.creditsBefore
        credits_after = entry.creditsAfter
        location = entry.location
        panel = entry.panel
        plan_id = entry.planID
    }
}
