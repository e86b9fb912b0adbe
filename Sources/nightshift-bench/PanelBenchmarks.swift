import Foundation
import Logging
import NIOPosix
import PanelAPI
import PanelEmulator

/// `nightshift-bench panel`: PanelAPI against the vendor's PHP example, in one run against
/// one emulator on a loopback port.
enum PanelBenchmarks {
    static let key = "bench-key"
    static let listSize = 10_000

    /// The vendor's add_credits example: the file the PanelAPI tests run against the emulator
    /// (verbatim from midnightstreamer-resellers-api.txt), with only the URL and key values
    /// replaced and the opening `<?php` dropped, so it can be pasted into a loop.
    static func vendorAddCredits(port: Int) throws -> String {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Tests/PanelAPITests/Fixtures/vendor-add-credits.php").standardized
        let text = try String(contentsOf: file, encoding: .utf8)
        guard text.hasPrefix("<?php\n") else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(file.path) does not start with <?php"])
        }
        return String(text.dropFirst("<?php\n".count))
            .replacingOccurrences(of: "'http://your-domain:8000/'", with: "'http://127.0.0.1:\(port)/'")
            .replacingOccurrences(of: "'your_api_key'", with: "'\(key)'")
    }

    static func run() async throws {
        guard let php = findPHP() else {
            print("php not found on PATH: install php-cli to compare against the vendor example")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nightshift-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let store = try ResellerStore(path: directory.appendingPathComponent("panel.sqlite").path)
        let emulator = PanelEmulator(settings: EmulatorSettings(apiKey: key), store: store, logger: logger)
        try await emulator.seed(count: listSize)

        // The emulator and the client share one event-loop thread: on a small shared machine
        // fewer threads handing work to each other measured faster for both contenders.
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        try await emulator.withRunningServer(eventLoopGroup: loop, logger: logger) { port in
            let http = HTTPTransport(eventLoopGroup: loop, logger: logger)
            // A client for the server on `port`, sharing the one transport.
            func makeClient(port: Int) throws -> PanelClient {
                PanelClient(
                    configuration: PanelConfiguration(baseURL: try PanelURL("http://127.0.0.1:\(port)/"), apiKey: APIKey(key)),
                    transport: http, logger: logger)
            }
            let client = try makeClient(port: port)
            print("emulator: 127.0.0.1:\(port), \(listSize) resellers, SQLite WAL, one event-loop thread shared with the client")
            print("php: \(php), the vendor's add_credits example verbatim but for URL and key")

            // Rounds alternate PanelAPI and the PHP loop so both see the same machine load;
            // medians are reported. CPU time (this process: client and server; plus PHP's own)
            // is shown too, since wall-clock rates on a shared machine move with its load.
            // The caller's task prefers the transport's event loop, as HTTPTransport's docs
            // advise for a busy caller: no thread hop per call. A caller on the global pool is
            // measured too, once per round.
            func swiftLoop(_ client: PanelClient, _ calls: Int) async throws {
                try await withTaskExecutorPreference(try http.executor) {
                    for _ in 0..<calls { try await client.addCredits(.id(5), 25) }
                }
            }
            try await swiftLoop(client, 200)
            for _ in 0..<200 { try await client.addCredits(.id(5), 25) }
            let rounds = 7
            let calls = 1000
            let example = try vendorAddCredits(port: port)
            let loopScript = try writeLoopScript(example: example, calls: calls, in: directory, name: "loop.php")

            // A do-nothing server on the same loop, answering with the emulator's own bytes:
            // what the two clients cost without the emulator.
            let answer = try await http.send(client.makeTransportRequest(.resellersAddCredits(.id(5), 25)))
            let null = try await NullPanelServer(answer: answer, group: loop)
            let nullClient = try makeClient(port: null.port)
            let nullLoopScript = try writeLoopScript(
                example: try vendorAddCredits(port: null.port), calls: calls, in: directory, name: "null-loop.php")
            for _ in 0..<200 { try await nullClient.addCredits(.id(5), 25) }
            let immediate = try await ImmediateHummingbirdServer(answer: answer, group: loop, logger: logger)
            let immediateClient = try makeClient(port: immediate.port)
            for _ in 0..<200 { try await immediateClient.addCredits(.id(5), 25) }

            var swift = Contender()
            var pool = Contender()
            var phpLoop = Contender()
            var nullSwift = Contender()
            var nullPHP = Contender()
            var immediateSwift = Contender()
            for _ in 0..<rounds {
                try await swift.measure(calls) { try await swiftLoop(client, calls) }
                try await pool.measure(calls) {
                    for _ in 0..<calls { try await client.addCredits(.id(5), 25) }
                }
                try phpLoop.measurePHP(php, loopScript, calls)
                try await nullSwift.measure(calls) { try await swiftLoop(nullClient, calls) }
                try nullPHP.measurePHP(php, nullLoopScript, calls)
                try await immediateSwift.measure(calls) { try await swiftLoop(immediateClient, calls) }
            }
            try await null.close()
            try await immediate.close()

            // PHP: a new process per call, as the example is used from cron or a shell.
            let onceScript = directory.appendingPathComponent("once.php")
            try Data("<?php\n\(example)\nif (!$api_result['result']) exit(1);\n".utf8).write(to: onceScript)
            for _ in 0..<5 { _ = try runPHP(php, onceScript.path) }
            let processCalls = 100
            let cpu3 = CPUTime.now()
            let processSeconds = try await time {
                for _ in 0..<processCalls { _ = try runPHP(php, onceScript.path) }
            }
            let processCPU = (CPUTime.now().totalSeconds - cpu3.totalSeconds) / Double(processCalls)
            let processRate = Double(processCalls) / processSeconds

            // In-process transport: the same client code without sockets.
            let inProcess = PanelClient(
                configuration: client.configuration, transport: InProcessTransport(emulator: emulator), logger: logger)
            let cpu4 = CPUTime.now()
            let inProcessSeconds = try await time {
                for _ in 0..<calls * 3 { try await inProcess.addCredits(.id(5), 25) }
            }
            let inProcessCPU = (CPUTime.now().ownSeconds - cpu4.ownSeconds) / Double(calls * 3)
            let inProcessRate = Double(calls * 3) / inProcessSeconds

            print("sequential add_credits, calls per second (median of \(rounds) interleaved rounds of \(calls)) and CPU per call")
            row("PanelAPI over HTTP (keep-alive)", swift.rate, swift.cpu, "client + emulator")
            print(String(format: "  %@ %8.0f /s", pad("  caller on the global pool"), pool.rate))
            row("PHP example, in a loop", phpLoop.rate, phpLoop.cpu, "PHP + emulator")
            print(String(format: "  %@            %8.0f us CPU  (the PHP process alone)", pad("  of which PHP itself"), phpLoop.childCPU * 1e6))
            row("PHP example, process per call", processRate, processCPU, "\(processCalls) processes")
            row("PanelAPI in-process transport", inProcessRate, inProcessCPU, "no sockets")
            print(String(format: "ratio PanelAPI / PHP loop:        %5.1fx  (target >= 3x; per round: %@)",
                swift.rate / phpLoop.rate, swift.ratios(to: phpLoop) as NSString))
            print(String(format: "ratio PanelAPI / PHP per process: %5.1fx", swift.rate / processRate))
            print(String(format: "CPU per call, PHP loop / PanelAPI:  %5.1fx", phpLoop.cpu / swift.cpu))

            // What bounds the ratio: the contenders against servers that do nothing, with the
            // emulator's answer. Making the emulator cheaper by d per request takes d off both
            // contenders' times, and it cannot get cheaper than a server that does nothing.
            print("the same against servers that do nothing but answer (the emulator's answer bytes, same thread):")
            row("PanelAPI, plain SwiftNIO HTTP/1.1", nullSwift.rate, nullSwift.cpu, "client + server")
            row("PHP loop, plain SwiftNIO HTTP/1.1", nullPHP.rate, nullPHP.cpu, "PHP + server")
            row("PanelAPI, Hummingbird", immediateSwift.rate, immediateSwift.cpu, "client + server")
            let budget = 1 / phpLoop.rate / 3
            let emulatorShare = 1 / swift.rate - 1 / nullSwift.rate
            print(String(
                format: "3x the PHP loop means %.0f us per PanelAPI call; Hummingbird answering at once gives %.0f us, plain SwiftNIO %.0f us",
                budget * 1e6, 1e6 / immediateSwift.rate, 1e6 / nullSwift.rate))
            print(String(
                format: "best ratio if the emulator's request cost no more than plain SwiftNIO's: (%.0f - %.0f) / %.0f us = %.1fx",
                1e6 / phpLoop.rate, emulatorShare * 1e6, 1e6 / nullSwift.rate,
                (1 / phpLoop.rate - emulatorShare) * nullSwift.rate))

            // Fetch and decode the whole list.
            var fetches: [Double] = []
            var count = 0
            for _ in 0..<7 {
                fetches.append(try await time { count = try await client.list().count })
            }
            let raw = try await http.send(client.makeTransportRequest(.resellersList()))
            var decodes: [Double] = []
            for _ in 0..<7 {
                decodes.append(try await time {
                    let reply = try ResponseInterpreter.interpret(raw, for: .resellersList())
                    count = try ResponseInterpreter.rows(of: reply, endpoint: "resellers.list").map { try Reseller(row: $0) }.count
                })
            }
            print(String(
                format: "list of %d resellers (%.1f MB): fetch+decode median %.1f ms, decode alone median %.1f ms",
                count, Double(raw.body.count) / 1e6, median(fetches) * 1000, median(decodes) * 1000))
            try await http.shutdown()
        }
        try await loop.shutdownGracefully()
    }

    /// A PHP script running the example `calls` times in a loop after `warmUp` warm-up calls,
    /// printing the loop's seconds; it fails if any call is refused.
    static func writeLoopScript(example: String, calls: Int, in directory: URL, name: String, warmUp: Int = 50) throws -> String {
        let script = directory.appendingPathComponent(name)
        try Data(
            """
            <?php
            for ($i = 0; $i < \(warmUp); $i++) {
            \(example)
            }
            $t0 = hrtime(true);
            for ($i = 0; $i < \(calls); $i++) {
            \(example)
            if (!$api_result['result']) { fwrite(STDERR, "call failed\\n"); exit(1); }
            }
            echo (hrtime(true) - $t0) / 1e9;
            """.utf8
        ).write(to: script)
        return script.path
    }

    /// One contender's rounds: rate and CPU per call, reported as medians.
    struct Contender {
        private(set) var rates: [Double] = []
        private var cpus: [Double] = []
        private var childCPUs: [Double] = []

        var rate: Double { median(rates) }
        /// CPU per call of this process plus PHP's (when PHP ran).
        var cpu: Double { median(cpus) }
        /// CPU per call of the PHP process alone.
        var childCPU: Double { median(childCPUs) }

        /// Times `calls` calls made by this process; CPU is this process's (client and servers).
        mutating func measure(_ calls: Int, _ body: () async throws -> Void) async throws {
            let before = CPUTime.now()
            let seconds = try await time(body)
            let after = CPUTime.now()
            rates.append(Double(calls) / seconds)
            cpus.append((after.ownSeconds - before.ownSeconds) / Double(calls))
        }

        /// Runs a loop script; its own clock times the loop. CPU includes PHP's 50 warm-up
        /// calls and start-up: an upper bound per call.
        mutating func measurePHP(_ php: String, _ script: String, _ calls: Int) throws {
            let before = CPUTime.now()
            let output = try runPHP(php, script)
            let after = CPUTime.now()
            rates.append(Double(calls) / (Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan))
            cpus.append((after.totalSeconds - before.totalSeconds) / Double(calls + 50))
            childCPUs.append(
                ((after.totalSeconds - after.ownSeconds) - (before.totalSeconds - before.ownSeconds)) / Double(calls + 50))
        }

        /// This contender's rate over another's, round by round.
        func ratios(to other: Contender) -> String {
            zip(rates, other.rates).map { String(format: "%.1f", $0 / $1) }.joined(separator: " ")
        }
    }

    static func row(_ name: String, _ rate: Double, _ cpu: Double, _ note: String) {
        print(String(format: "  %@ %8.0f /s  %8.0f us CPU  (%@)", pad(name), rate, cpu * 1e6, note as NSString))
    }

    /// `name` padded to the label column (`%-34@` does not pad on Linux).
    static func pad(_ name: String) -> NSString {
        name.padding(toLength: 34, withPad: " ", startingAt: 0) as NSString
    }

    /// CPU time used by this process, and by it plus its finished children (PHP).
    struct CPUTime {
        let ownSeconds: Double
        let totalSeconds: Double

        static func now() -> CPUTime {
            var own = rusage()
            var children = rusage()
            #if os(Linux)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &own)
            getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &children)
            #else
            getrusage(RUSAGE_SELF, &own)
            getrusage(RUSAGE_CHILDREN, &children)
            #endif
            func seconds(_ usage: rusage) -> Double {
                Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                    + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
            }
            return CPUTime(ownSeconds: seconds(own), totalSeconds: seconds(own) + seconds(children))
        }
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func time(_ body: () async throws -> Void) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func findPHP() -> String? { RunBenchmarks.find("php") }

    /// Runs a PHP script to completion and returns what it printed.
    static func runPHP(_ php: String, _ script: String) throws -> String {
        try RunBenchmarks.runProgram(php, [script], keepingOutput: true)
    }
}
