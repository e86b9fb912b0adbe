import Foundation
import NightshiftCore
import Scheduler

#if canImport(Glibc)
    import Glibc
#endif

/// The built `nightshift` executable: `$NIGHTSHIFT_BIN` (set by `scripts/test`), else
/// `<package root>/.build/debug/nightshift`, the package root found from this file's path.
enum NightshiftBinary {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["NIGHTSHIFT_BIN"], !path.isEmpty { return path }
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }  // Support, SchedulerTests, Tests, file
        return root.appendingPathComponent(".build/debug/nightshift").path
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "nightshift binary not found at \(NightshiftBinary.path): build it and nightshift-full beside it (swift build) or set NIGHTSHIFT_BIN"
        }
    }

    static func require() throws -> String {
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing() }
        return path
    }

    /// Runs the binary to completion; returns exit status, standard output and error.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try capture(try require(), arguments)
    }

    /// Runs `executable` to completion; returns exit status, standard output and error.
    static func capture(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Starts the binary in the background (own process group, output to `log`). Started
    /// with the scheduler's own launcher: Foundation's `Process.waitUntilExit` can hang on a
    /// daemon killed with -9 while its orphaned child lives.
    static func start(_ arguments: [String], log: String, environment: [String: String] = [:]) throws -> any RunningChild {
        try ProcessLauncher().launch(
            RunRequest(job: "test", slot: 0, commandLine: [try require()] + arguments, logPath: log, environment: environment))
    }
}

extension RunningChild {
    /// Sends a signal to this process only (not its group).
    func signal(_ signal: Int32) { _ = Glibc.kill(pid, signal) }

    /// Waits for the process to end and returns how; nil if it runs on after `limit` seconds.
    @discardableResult
    func waitForExit(within limit: Double = 60) -> ChildExit? {
        let end = Date().addingTimeInterval(limit)
        while Date() < end {
            if let exit = poll() { return exit }
            usleep(50_000)
        }
        return poll()
    }

    /// SIGTERM, then SIGKILL if it has not ended within a minute; nothing if it has ended.
    func stopGracefully() {
        guard poll() == nil else { return }
        signal(SIGTERM)
        if waitForExit() == nil {
            kill(signal: SIGKILL)
            waitForExit()
        }
    }
}

/// Waits until `condition` holds, checking every 50 ms; false if `limit` seconds pass.
/// Used only to wait for real processes, never to assert how long something took.
func eventually(within limit: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let end = Date().addingTimeInterval(limit)
    while Date() < end {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// A fresh store of one kind for tests that run the real binary: the line its jobs file
/// needs, and a connection of the test's own to look at what the daemons recorded.
struct StoreUnderTest {
    let kind: StoreKind
    let url: String?

    init(_ kind: StoreKind) throws {
        self.kind = kind
        url = kind == .postgres ? try TestPostgres.freshDatabase() : nil
    }

    /// `store = "..."` for the `[scheduler]` table, or nothing for SQLite.
    var schedulerLine: String { url.map { "store = \"\($0)\"" } ?? "" }

    /// Opens the store the jobs file in `directory` names (`state.sqlite` for SQLite).
    func open(_ directory: TemporaryDirectory) async throws -> any SchedulerStore {
        switch kind {
        case .sqlite:
            return try SQLiteStore(path: directory.file("state.sqlite"), host: "inspector")
        case .postgres:
            return try await PostgresStore(
                location: try PostgresLocation(url: url!), password: TestPostgres.password, host: "inspector")
        }
    }
}
