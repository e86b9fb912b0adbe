import NightshiftCore
import Foundation
import Logging
import PostgresNIO
import Scheduler
import ScriptRuntime
import ScriptAPI
import RunRecords
import NightshiftConfig
import SharedRecords
import TestScratch

/// A fresh database in the throwaway cluster `scripts/with-postgres` starts, one per test.
enum RecordsDatabase {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            """
            the shared records tests need PostgreSQL: run them as \
            `scripts/with-postgres swift test --filter SharedRecordsTests` (it starts a throwaway cluster on \
            127.0.0.1 and sets NIGHTSHIFT_TEST_POSTGRES and PGPASSWORD)
            """
        }
    }

    static var password: String? { ProcessInfo.processInfo.environment["PGPASSWORD"] }

    /// Settings for a new, empty database.
    static func fresh() async throws -> SharedRecordsSettings {
        guard let base = ProcessInfo.processInfo.environment["NIGHTSHIFT_TEST_POSTGRES"], !base.isEmpty else {
            throw Missing()
        }
        let location = try PostgresLocation(url: base)
        let name = "records_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection = try await PostgresConnection.connect(
            configuration: try location.connectionConfiguration(password: password, timeout: .seconds(10)), id: 1,
            logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        try await connection.close()
        var fresh = location
        fresh.database = name
        return SharedRecordsSettings(location: fresh)
    }

    /// Statements wait for long: when every suite runs at once on two cores, blocking
    /// end-to-end suites hold the threads the connection's continuations need for seconds.
    static let patience: Duration = .seconds(120)

    /// Copies `audit`'s pending runs to `settings`' database.
    @discardableResult
    static func ship(
        _ settings: SharedRecordsSettings, from audit: AuditLog, host: String
    ) async throws -> SharedRecordsStore.Shipped {
        try await SharedRecordsStore.ship(settings, password: password, from: audit, host: host, timeout: patience)
    }

    /// Opens `settings`' database.
    static func open(_ settings: SharedRecordsSettings) async throws -> SharedRecordsStore {
        try await SharedRecordsStore.open(settings, password: password, timeout: patience)
    }

    /// Settings for a database nobody listens for: port 1 on loopback refuses connections.
    static func unreachable() throws -> SharedRecordsSettings {
        SharedRecordsSettings(location: try PostgresLocation(url: "postgres://nightshift@127.0.0.1:1/nowhere"))
    }
}

/// An audit log in a fresh folder, with helpers to record runs as `nightshift run` does.
struct HostLog {
    let audit: AuditLog
    let host: String

    init(host: String) throws {
        audit = try AuditLog(path: Scratch.path("nightshift-records") + "/audit.sqlite", host: host)
        self.host = host
    }

    /// Records a finished run with `writes` writes; returns its id.
    @discardableResult
    func finishedRun(
        _ id: String = RunIdentity.newRunID(), status: RunStatus = .succeeded, startedAt: String? = nil, writes: Int = 1,
        output: String = "done\n"
    ) throws -> String {
        try startedRun(id, startedAt: startedAt, writes: writes, process: nil)
        try audit.finishRun(id: id, endedAt: Timestamp.iso(Date()), status: status, output: output, error: nil)
        return id
    }

    /// Records a run that has not ended, made by `process`.
    @discardableResult
    func startedRun(
        _ id: String = RunIdentity.newRunID(), startedAt: String? = nil, writes: Int = 1,
        process: ProcessIdentity?
    ) throws -> String {
        // The writes are made at the run's start: tests that order rows choose the times.
        let time = startedAt ?? Timestamp.iso(Date())
        try audit.startRun(
            RunRecords.RunRecord(
                id: id, scriptPath: "scripts/topup.lua", scriptHash: "abc", arguments: "amount=5",
                grant: "resellers.add_credits", mode: "live", startedAt: time, process: process))
        for index in 0..<writes {
            let row = try audit.record(
                AuditEntry(
                    time: time, runID: id, scriptPath: "scripts/topup.lua", scriptHash: "abc",
                    endpoint: "resellers.add_credits", target: "alice", parameters: "id=1&credits=\(index + 1)",
                    mode: "live", outcome: AuditOutcome.unknown, creditChange: index + 1, location: "topup.lua:\(index + 3)"))
            if process == nil { try audit.complete(row, outcome: AuditOutcome.done, answer: "{\"result\":true}") }
        }
        return id
    }
}
