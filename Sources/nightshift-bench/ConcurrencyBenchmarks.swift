import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `nightshift-bench concurrency`: 2,000 `add_credits` over HTTP against `nightshift emulator
/// --latency-ms 50` (a panel on a real network), from the vendor's PHP example in a loop, a
/// sequential `nightshift run`, and `tasks.map` at concurrency 4, 16 and 64; then the same at
/// 0 ms, where concurrency must not be slower than sequential.
///
/// Every contender is a separate process against the same emulator process (its own SQLite
/// file, seeded with as many resellers as calls). CPU per call is the contender process's
/// own (user + system, from the kernel's accounting of finished children), not the
/// emulator's.
enum ConcurrencyBenchmarks {
    static let calls = 2_000
    /// The emulator's key: the one the vendor example is given.
    static let key = PanelBenchmarks.key

    static func run() async throws {
        guard let nightshift = RunBenchmarks.nightshiftBinary() else {
            print("nightshift binary not found: build it and nightshift-full (swift build -c release) or set NIGHTSHIFT_BIN")
            return
        }
        guard let php = PanelBenchmarks.findPHP() else {
            print("php not found on PATH: install php-cli to compare against the vendor example")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nightshift-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        print("\(calls) resellers.add_credits over HTTP on loopback, each contender a process of its own")
        print("  nightshift: \(nightshift)")
        print("  php: \(php), the vendor's add_credits example verbatim but for URL and key, in a loop")
        for latency in [50, 0] {
            try await section(latency: latency, nightshift: nightshift, php: php, directory: directory)
        }
    }

    static func section(latency: Int, nightshift: String, php: String, directory: URL) async throws {
        let emulator = try Emulator.start(
            nightshift, ["--latency-ms", "\(latency)", "--seed", "\(calls)", "--api-key", key],
            database: directory.appendingPathComponent("panel-\(latency).sqlite").path)
        defer { emulator.stop() }
        print("")
        print("against nightshift emulator --latency-ms \(latency) (127.0.0.1:\(emulator.port)):")

        let example = try PanelBenchmarks.vendorAddCredits(port: emulator.port)
        let loop = try PanelBenchmarks.writeLoopScript(
            example: example, calls: calls, in: directory, name: "loop-\(latency).php", warmUp: latency > 0 ? 5 : 50)
        let phpRun = try measure { () throws -> String? in try PanelBenchmarks.runPHP(php, loop) }
        let phpSeconds = phpRun.phpLoopSeconds ?? phpRun.wall
        row("vendor PHP example, in a loop", phpSeconds, phpRun.cpu, baseline: phpSeconds)

        let sequential = directory.appendingPathComponent("sequential.lua")
        try Data("for id = 1, \(calls) do resellers.add_credits(id, 1) end\n".utf8).write(to: sequential)
        let mapped = directory.appendingPathComponent("mapped.lua")
        try Data(
            """
            local ids = {}
            for id = 1, \(calls) do ids[id] = id end
            tasks.map(ids, function(id) resellers.add_credits(id, 1) end)

            """.utf8
        ).write(to: mapped)

        func nightshiftRun(_ script: URL, concurrency: Int) throws -> Measurement {
            try measure {
                try RunBenchmarks.runToEnd(
                    nightshift,
                    [
                        "run", script.path, "--panel", "http://127.0.0.1:\(emulator.port)/", "--state",
                        directory.appendingPathComponent("state").path, "--allow", "resellers.add_credits",
                        "--max-credits", "1000000", "--timeout", "10m", "--concurrency", "\(concurrency)",
                    ], environment: ["NIGHTSHIFT_API_KEY": key])
            }
        }
        let seq = try nightshiftRun(sequential, concurrency: 1)
        row("nightshift run, sequential", seq.wall, seq.cpu, baseline: phpSeconds)
        for concurrency in [4, 16, 64] {
            let result = try nightshiftRun(mapped, concurrency: concurrency)
            row("tasks.map, concurrency \(concurrency)", result.wall, result.cpu, baseline: phpSeconds)
            print(String(format: "%@CPU per call %+.0f%% against the sequential run", pad("") as NSString, (result.cpu / seq.cpu - 1) * 100))
        }
        if let high = emulator.maxInFlight() { print("  the emulator's most requests in flight at once: \(high)") }
    }

    // MARK: Measuring

    struct Measurement {
        var wall: Double
        /// CPU seconds per call of the contender process.
        var cpu: Double
        /// The PHP loop's own timing of its calls (without start-up and warm-up).
        var phpLoopSeconds: Double?
    }

    static func measure(_ body: () throws -> String?) throws -> Measurement {
        let before = PanelBenchmarks.CPUTime.now()
        let start = ContinuousClock.now
        let output = try body()
        let wall = RunBenchmarks.seconds(ContinuousClock.now - start)
        let after = PanelBenchmarks.CPUTime.now()
        let childCPU = (after.totalSeconds - after.ownSeconds) - (before.totalSeconds - before.ownSeconds)
        return Measurement(
            wall: wall, cpu: childCPU / Double(calls),
            phpLoopSeconds: output.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
    }

    static func measure(_ body: () throws -> Void) throws -> Measurement {
        try measure { () throws -> String? in
            try body()
            return nil
        }
    }

    static func row(_ name: String, _ seconds: Double, _ cpu: Double, baseline: Double) {
        print(String(
            format: "  %@ %8.2f s   %6.1fx the PHP loop   %6.0f us CPU per call", pad(name), seconds, baseline / seconds,
            cpu * 1e6))
    }

    static func pad(_ name: String) -> NSString {
        name.padding(toLength: 34, withPad: " ", startingAt: 0) as NSString
    }

    /// `nightshift emulator` as a child process on a free loopback port.
    final class Emulator {
        let process: Process
        let port: Int

        private init(process: Process, port: Int) {
            self.process = process
            self.port = port
        }

        static func start(_ nightshift: String, _ flags: [String], database: String) throws -> Emulator {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: nightshift)
            process.arguments = ["emulator", "--port", "0", "--db", database] + flags
            let output = Pipe()
            process.standardError = output
            process.standardOutput = output
            try process.run()
            // The first line says where it listens: "... listening on http://127.0.0.1:PORT/".
            var seen = ""
            let handle = output.fileHandleForReading
            while !seen.contains("listening on http://127.0.0.1:") || !seen.contains("/") {
                let data = handle.availableData
                if data.isEmpty { break }
                seen += String(decoding: data, as: UTF8.self)
                if let range = seen.range(of: "listening on http://127.0.0.1:"),
                    let end = seen[range.upperBound...].firstIndex(of: "/"),
                    let port = Int(seen[range.upperBound..<end])
                {
                    // Keep draining its log so it never blocks on a full pipe.
                    handle.readabilityHandler = { _ = $0.availableData }
                    return Emulator(process: process, port: port)
                }
            }
            process.terminate()
            throw RunBenchmarks.BenchFailure(description: "the emulator did not start: \(seen)")
        }

        /// The emulator's own count of the most requests it had in flight at once.
        func maxInFlight() -> Int? {
            guard let url = URL(string: "http://127.0.0.1:\(port)/_emulator/stats"),
                let data = try? Data(contentsOf: url),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return nil }
            return object["max_in_flight"] as? Int
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
