import Foundation
import GRDB
import LuaHost
import Logging
import NightshiftCore
import Synchronization
import Testing
import TestScratch

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

/// Every status a run record holds is a `RunStatus`: the text in the database reads back
/// through the enum itself, not through a lenient fallback.
@Suite("one status vocabulary in the run records")
struct StatusVocabularyTests {
    /// The `status` column as stored, by run id.
    func storedStatuses(_ audit: AuditLog) throws -> [String: String] {
        try audit.queue.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, status FROM runs").map { row in
                (row["id"] as String, row["status"] as String)
            })
        }
    }

    @Test("runs that succeed, fail or are refused, and a REPL session, store statuses RunStatus reads back exactly")
    func everyWriterUsesTheEnum() async throws {
        let h = try await Harness.make()
        let succeeded = try await h.run("print('fine')", expecting: .succeeded)
        let failed = try await h.run("error('boom')", expecting: .failed)
        let refused = try await h.run("resellers.add_credits(1, 5)", expecting: .refused)
        let session = try InteractiveSession(
            client: h.client, grant: Grant(), mode: .live, limits: LuaLimits(time: .seconds(5)), audit: h.audit,
            confirmer: nil, output: OutputSink { _ in }, logger: Logger(label: "test.repl"))
        session.finish()

        let stored = try storedStatuses(h.audit)
        #expect(stored.count == 4)
        for (id, text) in stored {
            #expect(RunStatus(rawValue: text) != nil, "run \(id) is stored with '\(text)', which is not a RunStatus")
        }
        #expect(stored[succeeded.runID] == RunStatus.succeeded.rawValue)
        #expect(stored[failed.runID] == RunStatus.failed.rawValue)
        #expect(stored[refused.runID] == RunStatus.refused.rawValue)
        // A REPL session that ends normally is a run that succeeded, as every other.
        #expect(stored[session.identity.runID] == RunStatus.succeeded.rawValue)
        #expect(try h.audit.runs(status: .succeeded).map(\.id).sorted() == [succeeded.runID, session.identity.runID].sorted())
    }

    @Test("migration v6 rewrites REPL sessions recorded `ok` as succeeded")
    func migratesOk() async throws {
        let h = try await Harness.make()
        let session = try InteractiveSession(
            client: h.client, grant: Grant(), mode: .live, limits: LuaLimits(time: .seconds(5)), audit: h.audit,
            confirmer: nil, output: OutputSink { _ in }, logger: Logger(label: "test.repl"))
        session.finish()
        // As a 0.1.0 REPL left it, with v6 not yet applied.
        try await h.audit.queue.write { db in
            try db.execute(sql: "UPDATE runs SET status = 'ok', shipped = 'ok'")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v6:%'")
        }
        let reopened = try AuditLog(path: h.audit.path)
        #expect(try storedStatuses(reopened) == [session.identity.runID: "succeeded"])
        let shipped = try await reopened.queue.read { db in try String.fetchOne(db, sql: "SELECT shipped FROM runs") }
        #expect(shipped == "succeeded")
    }

    @Test("text no release wrote reads as failed, never as a success; `ok` reads as succeeded")
    func recordedText() {
        #expect(RunStatus(recorded: "ok") == .succeeded)
        #expect(RunStatus(recorded: "timed out") == .timedOut)
        #expect(RunStatus(recorded: "script unreadable") == .scriptUnreadable)
        #expect(RunStatus(recorded: "fine") == .failed)
    }
}

/// Runs sharing a state folder may open a new audit log at the same moment.
@Suite("opening one new audit log from many connections at once")
struct AuditConcurrentOpenTests {
    @Test("eight connections opening a new audit log at once all succeed, twenty times over")
    func concurrentMigrations() throws {
        let folder = try Scratch.folder("audit-open")
        for round in 0..<20 {
            let path = folder + "/audit-\(round).sqlite"
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do {
                    _ = try AuditLog(path: path)
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 }.isEmpty, "round \(round)")
        }
    }
}
