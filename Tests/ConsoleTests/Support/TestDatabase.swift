import Foundation

/// A fresh database in the throwaway PostgreSQL cluster `scripts/with-postgres` starts
/// (`NIGHTSHIFT_TEST_POSTGRES`, `PGPASSWORD`), for the console over the shared store.
enum TestDatabase {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "this test needs PostgreSQL: run it as `scripts/with-postgres swift test --filter ConsoleTests`"
        }
    }

    /// Creates an empty database; returns its URL (no password: PGPASSWORD holds it).
    static func fresh() throws -> String {
        guard let base = ProcessInfo.processInfo.environment["NIGHTSHIFT_TEST_POSTGRES"], !base.isEmpty else {
            throw Missing()
        }
        let name = "console_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [base, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw RawHTTP.Failure(description: "psql could not create \(name)") }
        var components = URLComponents(string: base)!
        components.path = "/" + name
        return components.string!
    }
}
