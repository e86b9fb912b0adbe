import Foundation
import TestScratch

#if canImport(Glibc)
    import Glibc
#endif

/// The built `nightshift` executable: `$NIGHTSHIFT_BIN` (set by `scripts/test`), else
/// `<package root>/.build/debug/nightshift`, the package root found from this file's path.
enum Nightshift {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["NIGHTSHIFT_BIN"], !path.isEmpty { return path }
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }  // Nightshift.swift, Support, EndToEndTests, Tests
        return root.appendingPathComponent(".build/debug/nightshift").path
    }

    /// The package root, for `scripts/`.
    static var packageRoot: String {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        return root.path
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "nightshift binary not found at \(Nightshift.path): build it and nightshift-full beside it (swift build) or set NIGHTSHIFT_BIN"
        }
    }

    struct Result {
        var status: Int32
        var output: String
        var error: String
        /// Whether it exited (rather than being killed by a signal: a crash).
        var exited: Bool
        var all: String { output + error }
    }

    /// Runs the binary to completion with `environment` added and `input` on standard input.
    /// With `outputReaderGone`, standard output is a pipe whose reader is closed before the
    /// binary starts, so every write to it fails (and `output` is empty).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], input: String = "", outputReaderGone: Bool = false
    ) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NIGHTSHIFT_API_KEY"] = nil
        env["NIGHTSHIFT_CONFIG"] = nil
        env["NIGHTSHIFT_STATE_DIR"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let output = Pipe()
        let error = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        if outputReaderGone { try output.fileHandleForReading.close() }
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        // Read both pipes concurrently so neither fills up.
        let errorData = Locked(Data())
        let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let out = outputReaderGone ? Data() : output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return Result(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            error: String(decoding: errorData.value, as: UTF8.self), exited: process.terminationReason == .exit)
    }
}

final class Locked<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    private var wasSet = false
    init(_ value: T) { stored = value }
    func set(_ value: T) {
        lock.lock()
        stored = value
        wasSet = true
        lock.unlock()
    }
    var value: T {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return wasSet
    }
}

/// `nightshift emulator` on a free loopback port with seeded resellers, a state folder,
/// and helpers to run scripts against it. Stopped (SIGTERM) by `stop()`.
final class Panel: @unchecked Sendable {
    static let key = "e2e-KEY-7c1f0a9b3d5e"
    let folder: String
    let port: Int
    /// The key this emulator accepts.
    let key: String
    private let process: Process

    var url: String { "http://127.0.0.1:\(port)/" }
    var state: String { folder + "/state" }
    var environment: [String: String] { ["NIGHTSHIFT_API_KEY": key] }

    /// Starts an emulator that accepts `key`, handed to it in a file (never on its command line).
    init(seed: Int = 12, extra: [String] = [], key: String = Panel.key) throws {
        folder = try Scratch.folder("nightshift-e2e")
        self.key = key
        guard FileManager.default.isExecutableFile(atPath: Nightshift.path) else { throw Nightshift.Missing() }
        let keyFile = folder + "/emulator.key"
        try key.write(toFile: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile, 0o600)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Nightshift.path)
        process.arguments =
            ["emulator", "--port", "0", "--api-key-file", keyFile, "--db", folder + "/panel.sqlite", "--seed", String(seed)]
            + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // The first line names the port.
        var line = Data()
        let handle = output.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "127.0.0.1:"),
            let port = Int(text[range.upperBound...].prefix { $0.isNumber })
        else {
            process.terminate()
            throw Startup(description: "the emulator did not print its port: \(text)")
        }
        self.port = port
    }

    struct Startup: Error, CustomStringConvertible { let description: String }

    /// Stops the emulator (again: nothing).
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Writes `source` to a script file and returns its path.
    func script(_ name: String, _ source: String) throws -> String {
        let path = folder + "/" + name
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `nightshift run SCRIPT --panel URL --state STATE` plus `flags`.
    func run(_ script: String, _ flags: [String] = [], input: String = "") throws -> Nightshift.Result {
        try Nightshift.run(["run", script, "--panel", url, "--state", state] + flags, environment: environment, input: input)
    }

    /// Every reseller's credits, by username, as a read-only script sees them.
    func credits() throws -> [String: Int] {
        let path = try script("read-credits.lua", "for _, r in ipairs(resellers.list()) do print(r.username .. '=' .. r.credits) end")
        let result = try run(path)
        var credits: [String: Int] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: "=")
            if parts.count == 2, let n = Int(parts[1]) { credits[String(parts[0])] = n }
        }
        return credits
    }

    /// The whole panel as JSON text (to prove a run changed nothing).
    func snapshot() throws -> String {
        let path = try script("snapshot.lua", "print(json.encode(resellers.list()))")
        return try run(path).output
    }

    /// `nightshift audit --json` rows for a run, as raw JSON text.
    func audit(_ arguments: [String] = []) throws -> Nightshift.Result {
        try Nightshift.run(["audit", "--state", state] + arguments)
    }

    /// The run id printed on the first line of standard error.
    static func runID(_ result: Nightshift.Result) -> String? {
        guard let range = result.error.range(of: "run ") else { return nil }
        let id = result.error[range.upperBound...].prefix { $0.isHexDigit }
        return id.count == 12 ? String(id) : nil
    }
}
