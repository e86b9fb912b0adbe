import NightshiftCore
import RunRecords

/// What the console reads from the run records and the audit log, and where it records what
/// its users do. `AuditRecords` reads the state folder's audit.sqlite; tests may read fixed
/// rows. Every list is one page: newest first, from an opaque cursor.
public protocol ConsoleRecords: Sendable {
    /// A page of runs.
    func runs(_ filter: RunFilter, before cursor: String?, limit: Int) async throws -> [AuditRunListing]
    /// One run, or nil.
    func run(id: String) async throws -> AuditRunListing?
    /// A run's writes after the write `afterID`, oldest first.
    func runWrites(runID: String, afterID: Int64, limit: Int) async throws -> [AuditEntry]
    /// A run's writes counted by outcome.
    func runTotals(runID: String) async throws -> AuditRunTotals
    /// A page of writes, newest first.
    func writes(_ filter: WriteFilter, before cursor: String?, limit: Int) async throws -> [AuditWriteListing]
    /// Targets with the credits last measured, in name order, after `after`, starting with `prefix`.
    func creditsSeen(after: String?, prefix: String?, limit: Int) async throws -> [AuditCreditsSeen]
    /// Targets written to that start with `prefix`, in name order.
    func targets(prefix: String, limit: Int) async throws -> [String]
    /// Credits moved per day (UTC) and target by done writes between two ISO 8601 times.
    func dailyCredits(since: String, until: String) async throws -> [AuditDailyCredits]
    /// Records what a console user did.
    func record(_ action: ConsoleActionEntry) async throws
    /// Console actions, newest first.
    func actions(user: String?, before cursor: String?, limit: Int) async throws -> [ConsoleActionEntry]
}
