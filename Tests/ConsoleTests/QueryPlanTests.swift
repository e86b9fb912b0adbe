import Foundation
import NightshiftCore
import RunRecords
import TestScratch
import Testing

/// Every statement behind the console's pages reads through an index in the page's order
/// (`EXPLAIN QUERY PLAN`): no table scan, no sort of all matching rows, so a page reads about
/// as many rows as it shows however large the audit log grows. The two aggregates (a run's
/// totals, the chart's days) read their run's or their range's writes, and only those.
@Suite("The console's queries read through indexes")
struct QueryPlanTests {
    static let pages: [(String, AuditConsoleStatement)] = [
        ("runs, newest", .runs(RunFilter(), before: nil, limit: 51)),
        ("runs, next page", .runs(RunFilter(), before: "2026-01-01T00:00:00.000Z~42", limit: 51)),
        ("runs of a job", .runs(RunFilter(job: "nightly"), before: nil, limit: 51)),
        ("runs of a job, next page", .runs(RunFilter(job: "nightly"), before: "2026-01-01T00:00:00.000Z~42", limit: 51)),
        ("runs of a job in a date range", .runs(RunFilter(job: "nightly", since: "2026-01-01", until: "2026-01-08"), before: nil, limit: 51)),
        ("runs by status", .runs(RunFilter(status: "failed"), before: nil, limit: 51)),
        ("runs by status, next page", .runs(RunFilter(status: "failed"), before: "2026-01-01T00:00:00.000Z~42", limit: 51)),
        ("crashed runs", .runs(RunFilter(status: "crashed"), before: nil, limit: 51)),
        ("runs by mode", .runs(RunFilter(mode: "dry-run"), before: nil, limit: 51)),
        ("runs by host", .runs(RunFilter(host: "host-2"), before: nil, limit: 51)),
        ("runs by kind", .runs(RunFilter(kind: "catch-up"), before: nil, limit: 51)),
        ("REPL sessions", .runs(RunFilter(kind: "repl"), before: nil, limit: 51)),
        ("runs in a date range", .runs(RunFilter(since: "2026-01-01", until: "2026-01-08"), before: nil, limit: 51)),
        ("runs by status in a date range", .runs(RunFilter(status: "failed", since: "2026-01-01", until: "2026-01-08"), before: nil, limit: 51)),
        ("a run", .run(id: "0123456789ab")),
        ("a run's writes", .runWrites(runID: "0123456789ab", afterID: 0, limit: 201)),
        ("a run's writes, next page", .runWrites(runID: "0123456789ab", afterID: 900, limit: 201)),
        ("writes, newest", .writes(WriteFilter(), before: nil, limit: 101)),
        ("writes, next page", .writes(WriteFilter(), before: "2026-01-01T00:00:00.000Z~42", limit: 101)),
        ("writes to a reseller", .writes(WriteFilter(target: "deltamedia6 (id 6)"), before: nil, limit: 101)),
        ("writes to a reseller, next page", .writes(WriteFilter(target: "deltamedia6 (id 6)"), before: "2026-01-01T00:00:00.000Z~42", limit: 101)),
        ("writes to a reseller in a date range", .writes(WriteFilter(target: "x (id 1)", since: "2026-01-01", until: "2026-01-08"), before: nil, limit: 101)),
        ("writes of a run", .writes(WriteFilter(runID: "0123456789ab"), before: nil, limit: 101)),
        ("writes of a plan", .writes(WriteFilter(planID: "p-0123"), before: nil, limit: 101)),
        ("writes of a plan, next page", .writes(WriteFilter(planID: "p-0123"), before: "2026-01-01T00:00:00.000Z~42", limit: 101)),
        ("writes in a date range", .writes(WriteFilter(since: "2026-01-01", until: "2026-01-08"), before: nil, limit: 101)),
        ("resellers as last seen", .creditsSeen(after: nil, prefix: nil, limit: 101)),
        ("resellers as last seen, next page", .creditsSeen(after: "m", prefix: nil, limit: 101)),
        ("resellers by name", .targets(prefix: "delta", limit: 21)),
        ("console actions", .consoleActions(user: nil, before: nil, limit: 101)),
        ("console actions of a user", .consoleActions(user: "ada", before: "2026-01-01T00:00:00.000Z~3", limit: 101)),
    ]

    static let aggregates: [(String, AuditConsoleStatement)] = [
        ("a run's totals", .runTotals(runID: "0123456789ab")),
        ("the chart's days", .dailyCredits(since: "2026-01-01", until: "2026-01-15")),
    ]

    /// A step that reads a whole table: `SCAN writes` without an index (`SCAN t`, the
    /// recursive CTE's own queue, and `SCAN CONSTANT ROW`, its first row, are not tables).
    static func scansATable(_ step: String) -> Bool {
        guard step.hasPrefix("SCAN "), step != "SCAN CONSTANT ROW" else { return false }
        let table = step.dropFirst(5).prefix { $0 != " " }
        return table != "t" && !step.contains("USING INDEX") && !step.contains("USING COVERING INDEX")
            && !step.contains("USING INTEGER PRIMARY KEY")
    }

    @Test("every page's statement uses an index in the page's order: no table scan, no sort", arguments: pages.map(\.0))
    func pagePlan(name: String) throws {
        let audit = try AuditLog(path: Scratch.path("plans") + ".sqlite")
        let statement = Self.pages.first { $0.0 == name }!.1
        let plan = try audit.queryPlan(statement)
        #expect(!plan.contains(where: Self.scansATable), "\(name): \(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(name): \(plan)")
        #expect(plan.contains { $0.contains("USING INDEX") || $0.contains("USING COVERING INDEX") || $0.contains("PRIMARY KEY") }, "\(name): \(plan)")
    }

    @Test("the aggregates read through an index too, only their run's or range's writes", arguments: aggregates.map(\.0))
    func aggregatePlan(name: String) throws {
        let audit = try AuditLog(path: Scratch.path("plans") + ".sqlite")
        let statement = Self.aggregates.first { $0.0 == name }!.1
        let plan = try audit.queryPlan(statement)
        #expect(!plan.contains(where: Self.scansATable), "\(name): \(plan)")
        #expect(plan.contains { $0.hasPrefix("SEARCH") && $0.contains("USING") }, "\(name): \(plan)")
    }

    @Test("pages of runs come newest first, each from the cursor the last one ended at, filters kept")
    func paging() throws {
        let audit = try AuditLog(path: Scratch.path("plans") + ".sqlite", host: "h")
        for index in 0..<300 {
            let id = String(format: "run%05d", index)
            try audit.startRun(
                RunRecord(
                    id: id, scriptPath: "s.lua", scriptHash: "x", arguments: "", grant: "", mode: "live",
                    startedAt: String(format: "2026-01-01T00:%02d:%02d.000Z", index / 60, index % 60)))
            try audit.finishRun(id: id, endedAt: "2026-01-02T00:00:00.000Z", status: index % 3 == 0 ? .failed : .succeeded, output: "", error: nil)
        }
        let page = try audit.runPage(limit: 10)
        #expect(page.map(\.record.id) == (290..<300).reversed().map { String(format: "run%05d", $0) })
        let next = try audit.runPage(before: page.last!.cursor, limit: 10)
        #expect(next.map(\.record.id) == (280..<290).reversed().map { String(format: "run%05d", $0) })
        let failed = try audit.runPage(RunFilter(status: "failed"), limit: 5)
        #expect(failed.map(\.record.id) == [297, 294, 291, 288, 285].map { String(format: "run%05d", $0) })
    }
}
