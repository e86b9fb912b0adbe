import Foundation
import ScriptRuntime
import TestScratch
import Testing

/// Every statement behind the console's pages reads through an index in the page's order
/// (`EXPLAIN QUERY PLAN`): no table scan, no sort of all matching rows, so a page reads about
/// as many rows as it shows however large the audit log grows. The two aggregates (a run's
/// totals, the chart's days) read their run's or their range's writes, and only those.
@Suite("The console's queries read through indexes")
struct QueryPlanTests {
    static let pages: [(String, AuditConsoleStatement)] = [
        ("runs, newest", .runs(AuditRunQuery())),
        ("runs, next page", .runs(AuditRunQuery(before: "2026-01-01T00:00:00.000Z~42"))),
        ("runs of a job", .runs(AuditRunQuery(job: "nightly"))),
        ("runs of a job, next page", .runs(AuditRunQuery(job: "nightly", before: "2026-01-01T00:00:00.000Z~42"))),
        ("runs of a job in a date range", .runs(AuditRunQuery(job: "nightly", since: "2026-01-01", until: "2026-01-08"))),
        ("runs by status", .runs(AuditRunQuery(status: "failed"))),
        ("runs by status, next page", .runs(AuditRunQuery(status: "failed", before: "2026-01-01T00:00:00.000Z~42"))),
        ("crashed runs", .runs(AuditRunQuery(status: "crashed"))),
        ("runs by mode", .runs(AuditRunQuery(mode: "dry-run"))),
        ("runs by host", .runs(AuditRunQuery(host: "host-2"))),
        ("runs by kind", .runs(AuditRunQuery(kind: "catch-up"))),
        ("REPL sessions", .runs(AuditRunQuery(kind: "repl"))),
        ("runs in a date range", .runs(AuditRunQuery(since: "2026-01-01", until: "2026-01-08"))),
        ("runs by status in a date range", .runs(AuditRunQuery(status: "failed", since: "2026-01-01", until: "2026-01-08"))),
        ("a run", .run(id: "0123456789ab")),
        ("a run's writes", .runWrites(runID: "0123456789ab", afterID: 0, limit: 201)),
        ("a run's writes, next page", .runWrites(runID: "0123456789ab", afterID: 900, limit: 201)),
        ("writes, newest", .writes(AuditWriteQuery())),
        ("writes, next page", .writes(AuditWriteQuery(before: "2026-01-01T00:00:00.000Z~42"))),
        ("writes to a reseller", .writes(AuditWriteQuery(target: "deltamedia6 (id 6)"))),
        ("writes to a reseller, next page", .writes(AuditWriteQuery(target: "deltamedia6 (id 6)", before: "2026-01-01T00:00:00.000Z~42"))),
        ("writes to a reseller in a date range", .writes(AuditWriteQuery(target: "x (id 1)", since: "2026-01-01", until: "2026-01-08"))),
        ("writes of a run", .writes(AuditWriteQuery(runID: "0123456789ab"))),
        ("writes in a date range", .writes(AuditWriteQuery(since: "2026-01-01", until: "2026-01-08"))),
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
            try audit.finishRun(id: id, endedAt: "2026-01-02T00:00:00.000Z", status: index % 3 == 0 ? "failed" : "succeeded", output: "", error: nil)
        }
        let page = try audit.runPage(AuditRunQuery(limit: 10))
        #expect(page.map(\.record.id) == (290..<300).reversed().map { String(format: "run%05d", $0) })
        let next = try audit.runPage(AuditRunQuery(before: page.last!.cursor, limit: 10))
        #expect(next.map(\.record.id) == (280..<290).reversed().map { String(format: "run%05d", $0) })
        let failed = try audit.runPage(AuditRunQuery(status: "failed", limit: 5))
        #expect(failed.map(\.record.id) == [297, 294, 291, 288, 285].map { String(format: "run%05d", $0) })
    }
}
