import Console
import NightshiftCore

/// Records with nothing in them, for tests that never read any.
struct EmptyRecords: ConsoleRecords {
    func runs(_ filter: RunFilter, before cursor: String?, limit: Int) async throws -> [ConsoleRun] { [] }
    func run(id: String) async throws -> ConsoleRun? { nil }
    func runWrites(runID: String, afterID: Int64, limit: Int) async throws -> [ConsoleWrite] { [] }
    func runTotals(runID: String) async throws -> ConsoleRunTotals { ConsoleRunTotals(byOutcome: [:], creditsMoved: 0) }
    func writes(_ filter: WriteFilter, before cursor: String?, limit: Int) async throws -> [ConsoleWrite] { [] }
    func creditsSeen(after: String?, prefix: String?, limit: Int) async throws -> [ConsoleCreditsSeen] { [] }
    func targets(prefix: String, limit: Int) async throws -> [String] { [] }
    func dailyCredits(since: String, until: String) async throws -> [ConsoleDailyCredits] { [] }
    func record(_ action: ConsoleActionEntry) async throws {}
    func actions(user: String?, before cursor: String?, limit: Int) async throws -> [ConsoleActionEntry] { [] }
}
