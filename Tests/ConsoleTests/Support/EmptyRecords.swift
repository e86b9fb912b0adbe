import Console
import NightshiftCore
import RunRecords

/// Records with nothing in them, for tests that never read any.
struct EmptyRecords: ConsoleRecords {
    func runs(_ filter: RunFilter, before cursor: String?, limit: Int) async throws -> [AuditRunListing] { [] }
    func run(id: String) async throws -> AuditRunListing? { nil }
    func runWrites(runID: String, afterID: Int64, limit: Int) async throws -> [AuditEntry] { [] }
    func runTotals(runID: String) async throws -> AuditRunTotals { AuditRunTotals() }
    func writes(_ filter: WriteFilter, before cursor: String?, limit: Int) async throws -> [AuditWriteListing] { [] }
    func creditsSeen(after: String?, prefix: String?, limit: Int) async throws -> [AuditCreditsSeen] { [] }
    func targets(prefix: String, limit: Int) async throws -> [String] { [] }
    func dailyCredits(since: String, until: String) async throws -> [AuditDailyCredits] { [] }
    func record(_ action: ConsoleActionEntry) async throws {}
    func actions(user: String?, before cursor: String?, limit: Int) async throws -> [ConsoleActionEntry] { [] }
}
