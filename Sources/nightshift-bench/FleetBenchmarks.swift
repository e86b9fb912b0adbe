import Foundation

/// `nightshift-bench fleet`: one script, 200 `add_credits` through `tasks.map`, run on one
/// panel and then as a fleet over ten (`nightshift run --panels all`), each panel its own
/// `nightshift emulator --latency-ms 50` process with its own key. A fleet's panels run at
/// once, so ten panels should take about as long as one, not ten times as long (target:
/// at most 1.3x).
enum FleetBenchmarks {
    static let panels = 10
    static let calls = 200
    static let latency = 50

    static func run() async throws {
        guard let nightshift = RunBenchmarks.nightshiftBinary() else {
            print("nightshift binary not found: build it and nightshift-full (swift build -c release) or set NIGHTSHIFT_BIN")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nightshift-bench-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var emulators: [ConcurrencyBenchmarks.Emulator] = []
        defer { emulators.forEach { $0.stop() } }
        var toml = "[state]\ndir = \"\(directory.appendingPathComponent("state").path)\"\n"
        for index in 1...panels {
            let keyFile = directory.appendingPathComponent("p\(index).key").path
            try Data("bench-fleet-key-\(index)-\(UUID().uuidString)\n".utf8).write(to: URL(fileURLWithPath: keyFile))
            chmod(keyFile, 0o600)
            let emulator = try ConcurrencyBenchmarks.Emulator.start(
                nightshift, ["--latency-ms", "\(latency)", "--seed", "\(calls)", "--api-key-file", keyFile],
                database: directory.appendingPathComponent("p\(index).sqlite").path)
            emulators.append(emulator)
            toml += "[panels.p\(index)]\nurl = \"http://127.0.0.1:\(emulator.port)/\"\nkey_file = \"\(keyFile)\"\n"
        }
        let config = directory.appendingPathComponent("nightshift.toml")
        try Data(toml.utf8).write(to: config)
        let script = directory.appendingPathComponent("topup.lua")
        try Data(
            """
            local ids = {}
            for id = 1, \(calls) do ids[id] = id end
            tasks.map(ids, function(id) resellers.add_credits(id, 1) end)

            """.utf8
        ).write(to: script)

        print("\(calls) resellers.add_credits per panel (tasks.map, concurrency 4), nightshift emulator --latency-ms \(latency)")
        print("  nightshift: \(nightshift)")
        func timed(_ panels: String) throws -> Double {
            let start = ContinuousClock.now
            try RunBenchmarks.runToEnd(
                nightshift,
                [
                    "run", script.path, "--config", config.path, "--panels", panels, "--allow", "resellers.add_credits",
                    "--max-credits", "1000000", "--timeout", "10m",
                ], environment: [:])
            return RunBenchmarks.seconds(ContinuousClock.now - start)
        }
        // Best of three each, alternating, so a busy moment of the machine hits both alike.
        var one: [Double] = []
        var fleet: [Double] = []
        for _ in 0..<3 {
            one.append(try timed("p1"))
            fleet.append(try timed("all"))
        }
        let single = one.min()!
        let all = fleet.min()!
        print(String(format: "  one panel (--panels p1)          %6.2f s   (runs: %@)", single, list(one)))
        print(String(format: "  fleet of %2d (--panels all)       %6.2f s   (runs: %@)", panels, all, list(fleet)))
        print(String(format: "  fleet / one panel: %.2fx (target: at most 1.3x; %d panels' calls in %.2fx the time)", all / single, panels, all / single))
    }

    static func list(_ values: [Double]) -> NSString {
        values.map { String(format: "%.2f", $0) }.joined(separator: ", ") as NSString
    }
}
