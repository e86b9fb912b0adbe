import Foundation
import Logging
import PanelAPI
import PanelEmulator

/// `nightshift-bench panel`: PanelAPI against the vendor's PHP example, in one run against
/// one emulator on a loopback port.
enum PanelBenchmarks {
    static let key = "bench-key"
    static let listSize = 10_000

    /// The vendor's add_credits example (midnightstreamer-resellers-api.txt), verbatim but for
    /// the URL and key.
    static func vendorAddCredits(port: Int) -> String {
        """
        $panel_url = 'http://127.0.0.1:\(port)/';
        $api_key = '\(key)';
        $id = 5;
        $credits = 25;
        $post_data = array(
        'api_key' => $api_key,
        'id' => $id,
        'credits' => $credits
        );
        $opts = array('http' => array(
        'method' => 'POST',
        'header' => 'Content-type: application/x-www-form-urlencoded',
        'content' => http_build_query($post_data)
        ));
        $context = stream_context_create($opts);
        $api_result = json_decode(file_get_contents($panel_url . "api/resellers/add_credits", false, $context), true);
        """
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

        try await emulator.withRunningServer(logger: logger) { port in
            let (client, http) = PanelClient.http(
                configuration: PanelConfiguration(baseURL: try PanelURL("http://127.0.0.1:\(port)/"), apiKey: APIKey(key)),
                logger: logger)
            print("emulator: 127.0.0.1:\(port), \(listSize) resellers, SQLite WAL; php: \(php)")

            // PanelAPI, sequential, pooled keep-alive connection.
            for _ in 0..<200 { try await client.addCredits(.id(5), 25) }
            let swiftCalls = 3000
            let swiftSeconds = try await time {
                for _ in 0..<swiftCalls { try await client.addCredits(.id(5), 25) }
            }
            let swiftRate = Double(swiftCalls) / swiftSeconds

            // PHP: the example in a loop inside one process (timed inside PHP).
            let loopCalls = 2000
            let loopScript = directory.appendingPathComponent("loop.php")
            try Data(
                """
                <?php
                for ($i = 0; $i < 100; $i++) {
                \(vendorAddCredits(port: port))
                }
                $t0 = hrtime(true);
                for ($i = 0; $i < \(loopCalls); $i++) {
                \(vendorAddCredits(port: port))
                if (!$api_result['result']) { fwrite(STDERR, "call failed\\n"); exit(1); }
                }
                echo (hrtime(true) - $t0) / 1e9;
                """.utf8
            ).write(to: loopScript)
            let loopSeconds = Double(try runPHP(php, loopScript.path).trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan
            let loopRate = Double(loopCalls) / loopSeconds

            // PHP: a new process per call, as the example is used from cron or a shell.
            let onceScript = directory.appendingPathComponent("once.php")
            try Data("<?php\n\(vendorAddCredits(port: port))\nif (!$api_result['result']) exit(1);\n".utf8).write(to: onceScript)
            for _ in 0..<5 { _ = try runPHP(php, onceScript.path) }
            let processCalls = 200
            let processSeconds = try await time {
                for _ in 0..<processCalls { _ = try runPHP(php, onceScript.path) }
            }
            let processRate = Double(processCalls) / processSeconds

            // In-process transport: the same client code without sockets.
            let inProcess = PanelClient(
                configuration: client.configuration, transport: InProcessTransport(emulator: emulator), logger: logger)
            let inProcessSeconds = try await time {
                for _ in 0..<swiftCalls { try await inProcess.addCredits(.id(5), 25) }
            }
            let inProcessRate = Double(swiftCalls) / inProcessSeconds

            print("sequential add_credits calls per second (higher is better)")
            row("PanelAPI over HTTP (keep-alive)", swiftRate, "\(swiftCalls) calls")
            row("PHP example, in a loop", loopRate, "\(loopCalls) calls")
            row("PHP example, process per call", processRate, "\(processCalls) calls")
            row("PanelAPI in-process transport", inProcessRate, "\(swiftCalls) calls, no sockets")
            print(String(format: "ratio PanelAPI / PHP loop:        %6.1fx  (target >= 3x)", swiftRate / loopRate))
            print(String(format: "ratio PanelAPI / PHP per process: %6.1fx", swiftRate / processRate))

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
    }

    static func row(_ name: String, _ rate: Double, _ note: String) {
        print(String(format: "  %-34@ %10.0f /s   (%@)", name as NSString, rate, note as NSString))
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func time(_ body: () async throws -> Void) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func findPHP() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/php"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func runPHP(_ php: String, _ script: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: php)
        process.arguments = [script]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "php failed running \(script)"])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
