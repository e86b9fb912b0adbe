import Foundation
import Scheduler
import Testing

/// The two store engines every daemon behaviour test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// The throwaway PostgreSQL cluster `scripts/with-postgres` starts (`scripts/test` runs the
/// tests inside it). Each test gets a database of its own, so tests run in parallel.
enum TestPostgres {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            """
            the PostgreSQL store tests need a cluster and none is configured: run them as \
            `scripts/with-postgres swift test --filter SchedulerTests` (it starts a throwaway cluster on \
            127.0.0.1 and sets NIGHTSHIFT_TEST_POSTGRES and PGPASSWORD), or set NIGHTSHIFT_TEST_POSTGRES=\
            postgres://USER@127.0.0.1:PORT/postgres and PGPASSWORD for a cluster of your own
            """
        }
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// The cluster's maintenance database URL (no password).
    static func baseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["NIGHTSHIFT_TEST_POSTGRES"], !url.isEmpty else {
            throw Missing()
        }
        return url
    }

    static var password: String? { ProcessInfo.processInfo.environment["PGPASSWORD"] }

    /// Creates an empty database and returns its URL.
    static func freshDatabase() throws -> String {
        let base = try baseURL()
        let name = "ns_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try psql(base, "CREATE DATABASE \(name)")
        var components = URLComponents(string: base)!
        components.path = "/" + name
        return components.string!
    }

    /// Runs one SQL command with `psql` against `url`.
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let result = try NightshiftBinary.capture(
            "/usr/bin/psql", [url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard result.status == 0 else { throw Failed(description: "psql \(url) -c \(sql): \(result.error)") }
        return result.output
    }
}
