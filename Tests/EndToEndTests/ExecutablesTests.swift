import Foundation
import TestScratch
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `nightshift` and `nightshift-full` (docs/architecture.md, "Two executables"): what the small
/// one links, how it hands commands over, and the emulator child `--emulator` starts.
@Suite("Two executables: nightshift runs scripts, nightshift-full the rest")
struct ExecutablesTests {
    static var full: String {
        URL(fileURLWithPath: Nightshift.path).deletingLastPathComponent().appendingPathComponent("nightshift-full").path
    }

    /// Whether the file holds `needle` (a module's name as Swift mangles it into type
    /// metadata and symbols: `11Hummingbird` for the module Hummingbird).
    static func holds(_ path: String, _ needle: String) throws -> Bool {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        return bytes.range(of: Data(needle.utf8)) != nil
    }

    /// The modules of the server stack, as mangled names spell them (the scheduler and the
    /// console by a type of theirs, `SchedulerDaemon` and `ConsoleServer` as mangling
    /// abbreviates them: GRDB has a `Scheduler` protocol of its own).
    static let serverModules = [
        "11Hummingbird", "11PostgresNIO", "13PanelEmulator", "10Prometheus", "8Mustache", "9Scheduler0A6Daemon",
        "7Console0A6Server", "13SharedRecords", "14OperationsFull",
    ]

    @Test("nightshift links no HTTP server, PostgreSQL client, scheduler, metrics, console or emulator; nightshift-full does")
    func leanLinks() throws {
        for module in Self.serverModules {
            #expect(try !Self.holds(Nightshift.path, module), "\(module) is linked into nightshift")
        }
        // The search finds them where they are: the test can fail.
        for module in Self.serverModules {
            #expect(try Self.holds(Self.full, module), "\(module) not found in nightshift-full")
        }
    }

    @Test("nightshift hands every other command to nightshift-full, with its arguments and exit status")
    func handsOver() throws {
        let cron = try Nightshift.run(["cron", "next", "0 12 * * 2-2/2", "--count", "1", "--from", "2026-03-28T00:00:00Z"])
        #expect(cron.status == 0, "\(cron.error)")
        #expect(cron.output.contains("2026-03-31T12:00:00"), "\(cron.output)")
        let help = try Nightshift.run(["--help"])
        for command in ["run", "repl", "check", "types", "schedule", "emulator", "plan", "apply", "console"] {
            #expect(help.output.contains("  \(command)"), "nightshift --help lists no \(command): \(help.output)")
        }
        #expect(!help.output.contains("ship-records"))
        let unknown = try Nightshift.run(["no-such-command"])
        #expect(unknown.status == 64 && unknown.error.contains("no-such-command"), "\(unknown.status) \(unknown.error)")
    }

    @Test("without nightshift-full beside it, nightshift runs scripts and says where it looked for the rest")
    func fullMissing() throws {
        let dir = try Scratch.folder("nightshift-lean")
        let copy = dir + "/nightshift"
        try FileManager.default.copyItem(atPath: Nightshift.path, toPath: copy)
        try "print('hello')\n".write(toFile: dir + "/hello.lua", atomically: true, encoding: .utf8)
        let run = try Self.run(
            copy, ["run", dir + "/hello.lua", "--panel", "http://127.0.0.1:9/", "--state", dir + "/state"],
            environment: ["NIGHTSHIFT_API_KEY": "unused"])
        #expect(run.status == 0 && run.output == "hello\n", "\(run.status) \(run.error)")
        let schedule = try Self.run(copy, ["jobs", "list"])
        #expect(schedule.status == 6)
        #expect(
            schedule.error.contains("'jobs' is run by nightshift-full") && schedule.error.contains(dir + "/nightshift-full"),
            "\(schedule.error)")
        let emulator = try Self.run(copy, ["run", dir + "/hello.lua", "--emulator", "--state", dir + "/state"])
        #expect(emulator.status == 6)
        #expect(emulator.error.contains("--emulator needs nightshift-full") && emulator.error.contains("install both executables"), "\(emulator.error)")
    }

    @Test("the emulator --emulator starts ends with the run, even when the run is killed")
    func emulatorEndsWithRun() async throws {
        let dir = try Scratch.folder("nightshift-lean")
        try "sleep(60)\n".write(toFile: dir + "/sleepy.lua", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Nightshift.path)
        process.arguments = ["run", dir + "/sleepy.lua", "--emulator", "--state", dir + "/state", "--timeout", "90s"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var emulator: pid_t?
        for _ in 0..<3000 where emulator == nil {
            emulator = Self.children(of: process.processIdentifier).first { Self.commandLine($0).contains("--api-key-stdin") }
            if emulator == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let child = try #require(emulator, "no emulator child of the run appeared")
        #expect(!Self.commandLine(child).contains(where: { $0.count == 36 && $0.filter { $0 == "-" }.count == 4 }), "a key on the command line")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        var ended = false
        for _ in 0..<3000 where !ended {
            ended = !Self.alive(child)
            if !ended { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(ended, "the emulator \(child) outlived the run killed with SIGKILL")
    }

    // MARK: Processes

    static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Nightshift.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let errorText = Locked(Data())
        Thread { errorText.set(error.fileHandleForReading.readDataToEndOfFile()) }.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorText.isSet { usleep(1000) }
        return Nightshift.Result(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            error: String(decoding: errorText.value, as: UTF8.self), exited: process.terminationReason == .exit)
    }

    /// The processes whose parent is `pid` (from /proc/PID/stat).
    static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { candidate in
            guard let stat = try? String(contentsOfFile: "/proc/\(candidate)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid
        }
    }

    /// A process's arguments, from /proc/PID/cmdline.
    static func commandLine(_ pid: pid_t) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the process still runs (a zombie nobody reaped has ended).
    static func alive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return false
        }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }
}
