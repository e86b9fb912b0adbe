import Foundation
import Logging
import LuaHost
import NightshiftCore
import PanelAPI
import PanelEmulator
import ScriptRuntime
import RunRecords
import ScriptAPI

/// `nightshift-bench run`: the cost of `nightshift run` against plain `lua5.4`, and of the
/// Lua layer (`resellers.add_credits` from a script, grant and caps checked) against
/// PanelAPI called directly from Swift, both on the in-process emulator.
enum RunBenchmarks {
    static func run() async throws {
        try processStartup()
        try await addCreditsFromLua()
    }

    // MARK: Whole-process time

    static func nightshiftBinary() -> String? {
        if let path = ProcessInfo.processInfo.environment["NIGHTSHIFT_BIN"], !path.isEmpty { return path }
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("nightshift").path
        return FileManager.default.isExecutableFile(atPath: sibling) ? sibling : nil
    }

    static func find(_ program: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Median wall time of running the program to completion.
    static func median(_ rounds: Int, _ program: String, _ arguments: [String], environment: [String: String]) throws -> Double {
        var times: [Double] = []
        for _ in 0..<rounds {
            times.append(try timed { try runToEnd(program, arguments, environment: environment) })
        }
        return middle(times)
    }

    /// Runs the program to completion, its output discarded; a failure carries what it said
    /// on standard error.
    static func runToEnd(_ program: String, _ arguments: [String], environment: [String: String]) throws {
        _ = try runProgram(program, arguments, environment: environment, keepingOutput: false)
    }

    /// Runs the program to completion and returns what it printed (or, unless `keepingOutput`,
    /// sends that to /dev/null); a failure carries what it said on standard error.
    static func runProgram(
        _ program: String, _ arguments: [String], environment: [String: String] = [:], keepingOutput: Bool
    ) throws -> String {
        try runCapturing(program, arguments, environment: environment, keepingOutput: keepingOutput).output
    }

    /// Runs the program to completion and returns what it printed on standard output (empty
    /// unless `keepingOutput`: else that goes to /dev/null) and on standard error; a failure
    /// carries what it said on standard error.
    static func runCapturing(
        _ program: String, _ arguments: [String], environment: [String: String] = [:], keepingOutput: Bool
    ) throws -> (output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let output = keepingOutput ? Pipe() : nil
        if let output { process.standardOutput = output } else { process.standardOutput = FileHandle(forWritingAtPath: "/dev/null") }
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // Output first: standard error stays short unless the program fails.
        let printed = output?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure(
                description: "\(program) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: text, as: UTF8.self))")
        }
        return (String(decoding: printed, as: UTF8.self), String(decoding: text, as: UTF8.self))
    }

    struct BenchFailure: Error, CustomStringConvertible { let description: String }

    static func seconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return Double(s) + Double(atto) / 1e18
    }

    static func processStartup() throws {
        guard let nightshift = nightshiftBinary() else {
            print("nightshift not found beside nightshift-bench: build it and nightshift-full (swift build -c release) or set NIGHTSHIFT_BIN")
            return
        }
        guard let lua = find("lua5.4") else {
            print("lua5.4 not found on PATH: install lua5.4 to compare process start-up")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nightshift-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/hello.lua"
        try "print('hello, world')\n".write(toFile: script, atomically: true, encoding: .utf8)
        let rounds = 31
        let environment = ["NIGHTSHIFT_API_KEY": "bench"]
        // Every build measured takes turns with the others and with lua5.4 in each round, so
        // all see the same machine load; medians are reported.
        let variables = ProcessInfo.processInfo.environment
        let builds: [StartupBuild] = [
            StartupBuild(role: .current, label: "nightshift run hello.lua --panel URL", path: nightshift),
            variables["NIGHTSHIFT_STATIC_BIN"].map {
                StartupBuild(role: .currentStatic, label: "  the same, --static-swift-stdlib", path: $0)
            },
            variables["NIGHTSHIFT_BASELINE_BIN"].map {
                StartupBuild(role: .baseline, label: "baseline (NIGHTSHIFT_BASELINE_BIN)", path: $0)
            },
            variables["NIGHTSHIFT_BASELINE_STATIC_BIN"].map {
                StartupBuild(role: .baselineStatic, label: "  baseline, --static-swift-stdlib", path: $0)
            },
        ].compactMap { $0 }.filter { !$0.path.isEmpty }
        // A panel URL that is never contacted: the script makes no call. Each build keeps its
        // own state folder (an older build may not know the audit log's newer migrations).
        func arguments(_ index: Int) -> [String] {
            ["run", script, "--panel", "http://127.0.0.1:9/", "--state", folder + "/state-\(index)"]
        }
        for (index, build) in builds.enumerated() {
            _ = try median(3, build.path, arguments(index), environment: environment)
        }
        var luaRuns: [Measured] = []
        var runs = Array(repeating: [Measured](), count: builds.count)
        for _ in 0..<rounds {
            luaRuns.append(try measured(lua, [script], environment: [:]))
            for (index, build) in builds.enumerated() {
                runs[index].append(try measured(build.path, arguments(index), environment: environment))
            }
        }
        let luaTime = middle(luaRuns.map(\.seconds))
        let emulatorArguments = ["run", script, "--emulator", "--state", folder + "/state-emulator"]
        let emulator = try (0..<rounds).map { _ in try measured(nightshift, emulatorArguments, environment: [:]) }
        let medians = Dictionary(uniqueKeysWithValues: zip(builds.map(\.role), runs.map { middle($0.map(\.seconds)) }))
        // Memory in rounds of its own: watching it takes a core, which the timed rounds must not share.
        func peak(_ program: String, _ arguments: [String], _ environment: [String: String]) throws -> Int {
            try (0..<7).map { _ in try measured(program, arguments, environment: environment, watchingMemory: true).peakKilobytes }.max() ?? 0
        }
        let luaPeak = try peak(lua, [script], [:])
        let peaks = Dictionary(
            uniqueKeysWithValues: try builds.enumerated().map { index, build in
                (build.role, try peak(build.path, arguments(index), environment))
            })
        let emulatorPeak = try peak(nightshift, emulatorArguments, [:])
        func megabytes(_ kilobytes: Int) -> Double { Double(kilobytes) / 1024 }
        func line(_ label: String, _ time: Double, _ peak: Int, _ note: String = "") -> String {
            String(
                format: "  %@ %8.2f ms  %6.1f MB   (%.1fx lua5.4%@)", label.padding(toLength: 40, withPad: " ", startingAt: 0),
                time * 1000, megabytes(peak), time / luaTime, note)
        }
        print("hello-world script, whole process, median time of \(rounds) interleaved rounds, highest peak RSS (VmHWM) of 7:")
        print(
            String(
                format: "  %@ %8.2f ms  %6.1f MB", "lua5.4 hello.lua".padding(toLength: 40, withPad: " ", startingAt: 0),
                luaTime * 1000, megabytes(luaPeak)))
        for build in builds {
            print(line(build.label, medians[build.role]!, peaks[build.role]!, build.role == .currentStatic ? "; the install build" : ""))
        }
        print(
            line(
                "nightshift run hello.lua --emulator", middle(emulator.map(\.seconds)), emulatorPeak,
                "; starts nightshift-full emulator, seeded in memory"))
        let pairs: [(StartupBuild.Role, StartupBuild.Role, String)] = [
            (.current, .baseline, "NIGHTSHIFT_BIN against NIGHTSHIFT_BASELINE_BIN"),
            (.currentStatic, .baselineStatic, "NIGHTSHIFT_STATIC_BIN against NIGHTSHIFT_BASELINE_STATIC_BIN"),
        ]
        for (current, baseline, kind) in pairs {
            guard let now = medians[current], let then = medians[baseline] else { continue }
            print(
                String(
                    format: "  this build against the baseline, %@: %.2fx its time (%+.2f ms), peak RSS %.1f MB against %.1f MB", kind,
                    now / then, (now - then) * 1000, megabytes(peaks[current]!), megabytes(peaks[baseline]!)))
        }
        print("  (peak RSS: the process's own VmHWM; with --emulator the emulator is a process of its own)")
        print("  (nightshift also opens the audit log, records the run and starts its watchdog)")
    }

    /// One whole run of a program: its wall time and (when watched) its peak resident set.
    struct Measured {
        var seconds: Double
        var peakKilobytes: Int
    }

    /// Runs the program to completion with posix_spawn, its output sent to /dev/null, and
    /// returns its wall time; with `watchingMemory`, also its peak RSS in kilobytes, the
    /// `VmHWM` of /proc/PID/status read until it exits. (Not `ru_maxrss` from `wait4`: a
    /// child spawned from this process starts with this process's high-water mark, which
    /// Linux keeps across `execve`.) A failure carries what it said on standard error.
    static func measured(
        _ program: String, _ arguments: [String], environment: [String: String], watchingMemory: Bool = false
    ) throws -> Measured {
        var variables = ProcessInfo.processInfo.environment
        for (key, value) in environment { variables[key] = value }
        let errorsPath = FileManager.default.temporaryDirectory.appendingPathComponent("nightshift-bench-\(UUID().uuidString).err").path
        defer { unlink(errorsPath) }
        var argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorsPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawn(&pid, program, &actions, nil, &argv, &envp)
        guard spawned == 0 else {
            throw BenchFailure(description: "\(program): cannot start: \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var peak = 0
        if watchingMemory {
            while waitpid(pid, &status, WNOHANG) == 0 {
                peak = max(peak, highWaterMark(pid) ?? 0)
            }
        } else {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        let elapsed = seconds(ContinuousClock.now - start)
        // Exited normally with status 0: the low 7 bits (the signal) and the status byte are 0.
        guard status == 0 else {
            let said = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
            throw BenchFailure(description: "\(program) \(arguments.joined(separator: " ")) ended with wait status \(status): \(said)")
        }
        return Measured(seconds: elapsed, peakKilobytes: peak)
    }

    /// `VmHWM` of a running process, in kilobytes; nil once it has exited.
    static func highWaterMark(_ pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }

    /// One build of nightshift in the start-up comparison.
    struct StartupBuild {
        enum Role: Hashable { case current, currentStatic, baseline, baselineStatic }
        var role: Role
        var label: String
        var path: String
    }

    static func timed(_ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        try body()
        return seconds(ContinuousClock.now - start)
    }

    static func middle(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    // MARK: add_credits from Lua against Swift

    final class Counter: @unchecked Sendable {
        var value: Double = 0
    }

    static func addCreditsFromLua() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nightshift-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let key = "bench-key"
        let store = try ResellerStore(path: folder + "/panel.sqlite")
        let emulator = PanelEmulator(settings: EmulatorSettings(apiKey: key), store: store, logger: logger)
        try await emulator.seed(count: 10)
        let client = PanelClient(
            configuration: PanelConfiguration(baseURL: try PanelURL("http://127.0.0.1:8000/"), apiKey: APIKey(key)),
            transport: InProcessTransport(emulator: emulator), logger: logger)
        let audit = try AuditLog(path: folder + "/audit.sqlite")

        // First a panel that answers at once: what is left is the cost of the layer itself,
        // measured with little noise; then that cost against real call times.
        let canned = PanelClient(configuration: client.configuration, transport: CannedTransport(), logger: logger)
        let layer = try await compare(
            client: canned, audit: nil, calls: 100_000, logger: logger, label: "a panel that answers at once (no I/O)")
        let overhead = layer.lua - layer.swift
        print(String(
            format: "  the layer adds %.2f us per call: %.2f us to wait from the script's thread, %.2f us for Lua, arguments, grant and caps",
            overhead * 1e6, (layer.thread - layer.swift) * 1e6, (layer.lua - layer.thread) * 1e6))
        let inProcess = try await compare(
            client: client, audit: audit, calls: 10_000, logger: logger, label: "the in-process emulator (SQLite, no sockets)")
        print(String(format: "  the layer's %.2f us are %.1f%% of this panel's %.1f us call", overhead * 1e6, overhead / inProcess.swift * 100, inProcess.swift * 1e6))
        // The usual case: a panel over HTTP (here the emulator on loopback, the fastest a real one could be).
        try await emulator.withRunningServer(logger: logger) { port in
            let (http, transport) = PanelClient.http(
                configuration: PanelConfiguration(baseURL: try PanelURL("http://127.0.0.1:\(port)/"), apiKey: APIKey(key)),
                logger: logger)
            let overHTTP = try await compare(
                client: http, audit: audit, calls: 2000, logger: logger, label: "the emulator over HTTP on loopback")
            print(String(format: "  the layer's %.2f us are %.1f%% of this panel's %.1f us call", overhead * 1e6, overhead / overHTTP.swift * 100, overHTTP.swift * 1e6))
            try await transport.shutdown()
        }
    }

    /// Answers every call with `{"result":true}` at once.
    struct CannedTransport: PanelTransport {
        func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
            TransportResponse(status: 200, contentType: "application/json", body: Array(#"{"result":true}"#.utf8))
        }
    }

    /// Seconds per call, medians of interleaved rounds.
    struct CallTimes {
        var swift: Double
        var thread: Double
        var lua: Double
    }

    @discardableResult
    static func compare(client: PanelClient, audit: AuditLog?, calls: Int, logger: Logger, label: String) async throws -> CallTimes {
        let grant = Grant(allowed: [.resellersAddCredits], maxCredits: Int.max / 2, maxCreditsPerReseller: Int.max / 2)
        let source = "for i = 1, \(calls) do resellers.add_credits(5, 1) end"

        func lua(audited: Bool) async throws -> Double {
            let runner = try ScriptRunner(
                run: ScriptRun(scriptPath: "bench.lua", source: Array(source.utf8), grant: grant, limits: LuaLimits(time: .seconds(600))),
                client: client, audit: audited ? audit : nil, output: OutputSink { _ in }, logger: logger)
            let elapsed: Double = await ScriptThread.run {
                let start = ContinuousClock.now
                let result = runner.execute()
                precondition(result.status == .succeeded, "\(result.error ?? "")")
                return seconds(ContinuousClock.now - start)
            }
            return Double(calls) / elapsed
        }

        func swift() async throws -> Double {
            let start = ContinuousClock.now
            for _ in 0..<calls { try await client.addCredits(.id(5), 1) }
            return Double(calls) / seconds(ContinuousClock.now - start)
        }

        // The same calls from synchronous Swift on a plain thread, waiting the way a script's
        // host function does: the difference to Lua is the Lua layer alone.
        func swiftOnThread() async throws -> Double {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    let waiter = WaitingExecutor()
                    let start = ContinuousClock.now
                    for _ in 0..<calls {
                        let result = waiter.wait { try await client.addCredits(.id(5), 1) }
                        guard case .success = result else { preconditionFailure("add_credits failed: \(String(describing: result))") }
                    }
                    continuation.resume(returning: Double(calls) / seconds(ContinuousClock.now - start))
                }
                thread.start()
            }
        }

        // Warm up, then alternate rounds so both see the same machine load; report medians.
        _ = try await swift()
        _ = try await swiftOnThread()
        _ = try await lua(audited: false)
        let rounds = 7
        var swiftRates: [Double] = []
        var threadRates: [Double] = []
        var luaRates: [Double] = []
        var auditedRates: [Double] = []
        for _ in 0..<rounds {
            swiftRates.append(try await swift())
            threadRates.append(try await swiftOnThread())
            luaRates.append(try await lua(audited: false))
            if audit != nil { auditedRates.append(try await lua(audited: true)) }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let swiftRate = median(swiftRates)
        let threadRate = median(threadRates)
        let luaRate = median(luaRates)
        print("resellers.add_credits against \(label), \(calls) calls, median of \(rounds) interleaved rounds:")
        print(String(format: "  PanelAPI from Swift, async (client.addCredits)  %9.0f calls/s", swiftRate))
        print(String(format: "  PanelAPI from Swift, plain thread (as Lua waits) %8.0f calls/s", threadRate))
        print(String(format: "  from Lua (grant + caps checked, no audit)       %9.0f calls/s", luaRate))
        if audit != nil {
            print(String(format: "  Lua layer costs %.1f%% against the async Swift caller, %.1f%% against the thread (target < 10%%)",
                (swiftRate / luaRate - 1) * 100, (threadRate / luaRate - 1) * 100))
        }
        if !auditedRates.isEmpty {
            let auditedRate = median(auditedRates)
            print(String(format: "  from Lua, audited (two SQLite writes per call)  %9.0f calls/s   (%.2fx the Swift time)", auditedRate, swiftRate / auditedRate))
        }
        return CallTimes(swift: 1 / swiftRate, thread: 1 / threadRate, lua: 1 / luaRate)
    }
}
