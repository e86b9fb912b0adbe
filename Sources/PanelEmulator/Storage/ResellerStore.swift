import Foundation
import GRDB
import PanelAPI

/// The emulator's resellers in their own SQLite file (WAL mode). Writes are serialized by
/// GRDB's queue and credit changes are single `UPDATE ... SET credits = credits + ?`
/// statements, so concurrent calls never lose an update.
public final class ResellerStore: Sendable {
    /// Why a store operation failed, in the panel's words where it has them.
    public enum Failure: Error, Sendable, Equatable {
        /// No reseller with that id or username.
        case notFound
        /// The username is taken.
        case exists
        /// The balance would go below zero.
        case notEnoughCredits
    }

    private let database: DatabaseQueue

    /// Opens (creating if needed) the store at `path`; `:memory:` keeps it in memory.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        if path == ":memory:" {
            database = try DatabaseQueue(configuration: configuration)
        } else {
            database = try DatabaseQueue(path: path, configuration: configuration)
            _ = try database.writeWithoutTransaction { db in
                try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            }
        }
        try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS resellers (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        username TEXT NOT NULL UNIQUE,
                        credits INTEGER NOT NULL DEFAULT 0,
                        max_allowed_connections INTEGER NOT NULL DEFAULT 1,
                        use_credits INTEGER NOT NULL DEFAULT 1,
                        status INTEGER NOT NULL DEFAULT 1,
                        extra TEXT NOT NULL DEFAULT '{}'
                    )
                    """)
        }
    }

    /// Inserts a reseller and returns its id.
    public func create(
        username: String, credits: Int, maxAllowedConnections: Int, useCredits: Bool, extra: JSONObject = JSONObject()
    ) async throws -> Int {
        try await database.write { db in
            if try Int.fetchOne(db, sql: "SELECT id FROM resellers WHERE username = ?", arguments: [username]) != nil {
                throw Failure.exists
            }
            try db.execute(
                sql: """
                    INSERT INTO resellers (username, credits, max_allowed_connections, use_credits, status, extra)
                    VALUES (?, ?, ?, ?, 1, ?)
                    """,
                arguments: [username, credits, maxAllowedConnections, useCredits, Self.encode(extra)])
            return Int(db.lastInsertedRowID)
        }
    }

    /// Adds `amount` to a reseller's credits atomically; refuses to go below zero.
    public func addCredits(_ amount: Int, to target: ResellerRef) async throws {
        // Synchronous on purpose: the statement takes microseconds, and hopping to GRDB's
        // queue and back would cost more than the write itself on the emulator's hot path.
        try addCreditsNow(amount, to: target)
    }

    private func addCreditsNow(_ amount: Int, to target: ResellerRef) throws {
        try database.writeWithoutTransaction { db in
            let (clause, argument) = Self.whereClause(target)
            // One statement in autocommit mode: atomic on its own, and the hot path of the
            // emulator (a transaction around SELECT + UPDATE costs twice as much).
            let statement = try db.cachedStatement(
                sql: "UPDATE resellers SET credits = credits + ? WHERE \(clause) AND credits + ? >= 0")
            try statement.execute(arguments: [amount, argument, amount])
            if db.changesCount == 0 {
                let exists = try Int.fetchOne(db, sql: "SELECT 1 FROM resellers WHERE \(clause)", arguments: [argument]) != nil
                throw exists ? Failure.notEnoughCredits : Failure.notFound
            }
        }
    }

    /// Applies `change` to the reseller `target` inside one write transaction.
    public func update(_ target: ResellerRef, _ change: @escaping @Sendable (inout StoredReseller) throws -> Void) async throws {
        try await database.write { db in
            let (clause, argument) = Self.whereClause(target)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM resellers WHERE \(clause)", arguments: [argument])
            else { throw Failure.notFound }
            var reseller = Self.reseller(from: row)
            let oldName = reseller.username
            try change(&reseller)
            if reseller.username != oldName,
                try Int.fetchOne(db, sql: "SELECT id FROM resellers WHERE username = ?", arguments: [reseller.username]) != nil
            {
                throw Failure.exists
            }
            try db.execute(
                sql: """
                    UPDATE resellers SET username = ?, credits = ?, max_allowed_connections = ?, use_credits = ?,
                    status = ?, extra = ? WHERE id = ?
                    """,
                arguments: [
                    reseller.username, reseller.credits, reseller.maxAllowedConnections, reseller.useCredits,
                    reseller.status, Self.encode(reseller.extra), reseller.id,
                ])
        }
    }

    /// Removes a reseller (as an operator deletes one in the panel's pages); false if there
    /// was none.
    @discardableResult
    public func delete(_ target: ResellerRef) async throws -> Bool {
        try await database.write { db in
            let (clause, argument) = Self.whereClause(target)
            try db.execute(sql: "DELETE FROM resellers WHERE \(clause)", arguments: [argument])
            return db.changesCount > 0
        }
    }

    /// One reseller, or `nil`.
    public func find(_ target: ResellerRef) async throws -> StoredReseller? {
        try await database.read { db in
            let (clause, argument) = Self.whereClause(target)
            return try Row.fetchOne(db, sql: "SELECT * FROM resellers WHERE \(clause)", arguments: [argument])
                .map(Self.reseller(from:))
        }
    }

    /// All resellers by id.
    public func all() async throws -> [StoredReseller] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM resellers ORDER BY id").map(Self.reseller(from:))
        }
    }

    /// How many resellers there are.
    public func count() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM resellers") ?? 0 }
    }

    /// Inserts `resellers` (ids ignored) in one transaction.
    public func insert(_ resellers: [StoredReseller]) async throws {
        try await database.write { db in
            let statement = try db.makeStatement(
                sql: """
                    INSERT OR IGNORE INTO resellers (username, credits, max_allowed_connections, use_credits, status, extra)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
            for r in resellers {
                try statement.execute(arguments: [
                    r.username, r.credits, r.maxAllowedConnections, r.useCredits, r.status, Self.encode(r.extra),
                ])
            }
        }
    }

    private static func whereClause(_ target: ResellerRef) -> (String, any DatabaseValueConvertible & Sendable) {
        switch target {
        case .id(let id): ("id = ?", id)
        case .username(let name): ("username = ?", name)
        }
    }

    private static func reseller(from row: Row) -> StoredReseller {
        let extraText: String = row["extra"]
        var extra = JSONObject()
        if case .object(let object) = try? JSONParser.parse(extraText) { extra = object }
        return StoredReseller(
            id: row["id"], username: row["username"], credits: row["credits"],
            maxAllowedConnections: row["max_allowed_connections"], useCredits: row["use_credits"],
            status: row["status"], extra: extra)
    }

    private static func encode(_ object: JSONObject) -> String {
        String(decoding: JSONWriter.write(.object(object)), as: UTF8.self)
    }
}
