import NightshiftCore
import NIOPosix
import RunRecords

/// The console's records in the state folder's audit.sqlite: the one place the console
/// touches the audit log's own types. SQLite calls block, so they run on NIO's thread pool,
/// never on a task's thread.
public struct AuditRecords: ConsoleRecords {
    private let audit: AuditLog

    /// Reads and writes `audit`.
    public init(audit: AuditLog) {
        self.audit = audit
    }

    /// Opens (creating if needed) the audit log at `path`.
    public init(path: String, host: String?) throws {
        audit = try AuditLog(path: path, host: host)
    }

    public func runs(_ filter: RunFilter, before cursor: String?, limit: Int) async throws -> [ConsoleRun] {
        try await blocking { audit in
            try audit.runPage(filter, before: cursor, limit: limit).map { Self.run($0.record, origin: $0.origin, cursor: $0.cursor) }
        }
    }

    public func run(id: String) async throws -> ConsoleRun? {
        try await blocking { audit in
            try audit.run(id: id).map { Self.run($0.record, origin: $0.origin, cursor: "") }
        }
    }

    public func runWrites(runID: String, afterID: Int64, limit: Int) async throws -> [ConsoleWrite] {
        try await blocking { audit in
            try audit.runWrites(runID: runID, afterID: afterID, limit: limit).map { Self.write($0, cursor: "") }
        }
    }

    public func runTotals(runID: String) async throws -> ConsoleRunTotals {
        try await blocking { audit in
            let totals = try audit.runTotals(runID: runID)
            return ConsoleRunTotals(byOutcome: totals.byOutcome, creditsMoved: totals.creditsMoved)
        }
    }

    public func writes(_ filter: WriteFilter, before cursor: String?, limit: Int) async throws -> [ConsoleWrite] {
        try await blocking { audit in
            try audit.writePage(filter, before: cursor, limit: limit).map { Self.write($0.entry, cursor: $0.cursor) }
        }
    }

    public func creditsSeen(after: String?, prefix: String?, limit: Int) async throws -> [ConsoleCreditsSeen] {
        try await blocking { audit in
            try audit.creditsSeen(after: after, prefix: prefix, limit: limit).map {
                ConsoleCreditsSeen(target: $0.target, credits: $0.credits, time: $0.time, runID: $0.runID)
            }
        }
    }

    public func targets(prefix: String, limit: Int) async throws -> [String] {
        try await blocking { audit in try audit.targets(prefix: prefix, limit: limit) }
    }

    public func dailyCredits(since: String, until: String) async throws -> [ConsoleDailyCredits] {
        try await blocking { audit in
            try audit.dailyCredits(since: since, until: until).map {
                ConsoleDailyCredits(day: $0.day, target: $0.target, credits: $0.credits)
            }
        }
    }

    public func record(_ action: ConsoleActionEntry) async throws {
        _ = try await blocking { audit in try audit.recordConsoleAction(action) }
    }

    public func actions(user: String?, before cursor: String?, limit: Int) async throws -> [ConsoleActionEntry] {
        try await blocking { audit in try audit.consoleActions(user: user, before: cursor, limit: limit) }
    }

    private func blocking<T: Sendable>(_ body: @escaping @Sendable (AuditLog) throws -> T) async throws -> T {
        let audit = self.audit
        return try await NIOThreadPool.singleton.runIfActive { try body(audit) }
    }

    private static func run(_ record: RunRecord, origin: AuditRunOrigin?, cursor: String) -> ConsoleRun {
        let kind = origin?.kind ?? (record.scriptPath == "(repl)" ? AuditRunKind.repl : AuditRunKind.run)
        return ConsoleRun(
            id: record.id, script: record.scriptPath, scriptHash: record.scriptHash, arguments: record.arguments,
            grant: record.grant, mode: record.mode, startedAt: record.startedAt, endedAt: record.endedAt,
            status: record.status, output: record.output, error: record.error, modules: record.modules,
            host: record.host, job: origin?.job, kind: kind, slot: origin?.slot, attempt: origin?.attempt,
            cursor: cursor)
    }

    private static func write(_ entry: AuditEntry, cursor: String) -> ConsoleWrite {
        ConsoleWrite(
            id: entry.id, time: entry.time, runID: entry.runID, script: entry.scriptPath, endpoint: entry.endpoint,
            target: entry.target, parameters: entry.parameters, mode: entry.mode, outcome: entry.outcome,
            answer: entry.answer, creditChange: entry.creditChange, creditsBefore: entry.creditsBefore,
            creditsAfter: entry.creditsAfter, location: entry.location, host: entry.host, cursor: cursor)
    }
}
