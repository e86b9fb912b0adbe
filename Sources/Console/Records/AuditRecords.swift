import NightshiftCore
import NIOPosix
import RunRecords

/// The console's records in the state folder's audit.sqlite: the one place the console
/// reads the `AuditLog` itself. SQLite calls block, so they run on NIO's thread pool,
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

    public func runs(_ filter: RunFilter, before cursor: String?, limit: Int) async throws -> [AuditRunListing] {
        try await blocking { audit in try audit.runPage(filter, before: cursor, limit: limit) }
    }

    public func run(id: String) async throws -> AuditRunListing? {
        try await blocking { audit in try audit.run(id: id) }
    }

    public func runWrites(runID: String, afterID: Int64, limit: Int) async throws -> [AuditEntry] {
        try await blocking { audit in try audit.runWrites(runID: runID, afterID: afterID, limit: limit) }
    }

    public func runTotals(runID: String) async throws -> AuditRunTotals {
        try await blocking { audit in try audit.runTotals(runID: runID) }
    }

    public func writes(_ filter: WriteFilter, before cursor: String?, limit: Int) async throws -> [AuditWriteListing] {
        try await blocking { audit in try audit.writePage(filter, before: cursor, limit: limit) }
    }

    public func creditsSeen(after: String?, prefix: String?, limit: Int) async throws -> [AuditCreditsSeen] {
        try await blocking { audit in try audit.creditsSeen(after: after, prefix: prefix, limit: limit) }
    }

    public func targets(prefix: String, limit: Int) async throws -> [String] {
        try await blocking { audit in try audit.targets(prefix: prefix, limit: limit) }
    }

    public func dailyCredits(since: String, until: String) async throws -> [AuditDailyCredits] {
        try await blocking { audit in try audit.dailyCredits(since: since, until: until) }
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
}
