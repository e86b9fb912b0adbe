import GRDB
import NightshiftCore

/// Runs (with their writes) that are to be copied to the shared records, in the order they
/// started. This file stays the source of truth: the copy is made after a run ends, and a run
/// is marked shipped only once the copy is committed.
public struct AuditShipment: Sendable {
    /// The runs, each with the status to copy (a dead process's run as ``RunStatus/crashed``)
    /// and its host.
    public var runs: [RunRecord]
    /// Every write of those runs, with the run's host.
    public var writes: [AuditEntry]
    /// Where the next batch starts; nil when this batch reached the end.
    public var next: Position?

    /// A place in the order of runs (start time, then row), for reading in batches.
    public struct Position: Sendable, Hashable {
        package let startedAt: String
        package let row: Int64
    }
}

extension AuditLog {
    /// Runs to copy. Runs already copied as crashed stay `running` here (crashed is never
    /// stored), so they are left out by name.
    package static let toShip = "\(notShipped) AND NOT (status = 'running' AND shipped IS 'crashed')"

    /// The next batch of runs whose current record is not in the shared records.
    ///
    /// A run that is still going is left for later. A run recorded as running whose process
    /// is gone goes as ``RunStatus/crashed`` (only this host can tell); one recorded without
    /// its process (before v3, or a REPL session) goes as running, as last recorded, and again
    /// when it ends.
    /// - Parameters:
    ///   - position: where the previous batch ended; nil for the first.
    ///   - limit: the most runs looked at.
    ///   - host: the host of runs recorded without one, when this log has no ``host``.
    public func pendingShipment(
        after position: AuditShipment.Position? = nil, limit: Int = 50, host fallbackHost: String,
        isAlive: (ProcessIdentity) -> Bool = { $0.isAlive }
    ) throws -> AuditShipment {
        try queue.read { db in
            var arguments: StatementArguments = []
            var after = ""
            if let position {
                after = "AND (started_at, rowid) > (?, ?)"
                arguments += [position.startedAt, position.row]
            }
            arguments += [limit]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT rowid AS row_number, * FROM runs WHERE \(Self.toShip) \(after)
                    ORDER BY started_at, rowid LIMIT ?
                    """,
                arguments: arguments)
            var runs: [RunRecord] = []
            for row in rows {
                var record = Self.decided(runRecord(row), isAlive: isAlive)
                if record.status == .running && record.process != nil { continue }
                record.host = record.host ?? fallbackHost
                runs.append(record)
            }
            let next = rows.count < limit
                ? nil
                : rows.last.map { AuditShipment.Position(startedAt: $0["started_at"], row: $0["row_number"]) }
            guard !runs.isEmpty else { return AuditShipment(runs: [], writes: [], next: next) }
            let hosts = Dictionary(runs.map { ($0.id, $0.host) }, uniquingKeysWith: { first, _ in first })
            let marks = databaseQuestionMarks(count: runs.count)
            let writes = try Row.fetchAll(
                db, sql: "SELECT * FROM writes WHERE run_id IN (\(marks)) ORDER BY id",
                arguments: StatementArguments(runs.map(\.id))
            ).map { row in
                var entry = auditEntry(row)
                entry.host = hosts[entry.runID] ?? fallbackHost
                return entry
            }
            return AuditShipment(runs: runs, writes: writes, next: next)
        }
    }

    /// Records that `runs` (as returned by ``pendingShipment(after:limit:host:isAlive:)``)
    /// are in the shared records. A run whose record changed since it was read is left
    /// unmarked, so it is copied again.
    public func markShipped(_ runs: [RunRecord]) throws {
        try queue.write { db in
            let statement = try db.cachedStatement(sql: "UPDATE runs SET shipped = ? WHERE id = ? AND status = ?")
            for run in runs {
                let recorded: RunStatus = run.status == .crashed ? .running : run.status
                try statement.execute(arguments: [run.status.rawValue, run.id, recorded.rawValue])
            }
        }
    }

    /// How many runs have a current record that is not in the shared records (runs still
    /// going included).
    public func unshippedCount() throws -> Int {
        try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE \(Self.toShip)") ?? 0
        }
    }
}
