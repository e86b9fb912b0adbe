import Foundation

/// `nightshift-bench plans`: applying a 2,000-write plan against `nightshift emulator
/// --latency-ms 50` at `--concurrency 16`, against the same work as a `tasks.map` run, in
/// the same process run, against the same emulator process. Also reports the share of the
/// apply spent re-reading the panel for the preconditions (one reseller list).
enum PlanBenchmarks {
    static let writes = 2_000
    static let concurrency = 16
    static let latency = 50

    static func run() async throws {
        guard let nightshift = RunBenchmarks.nightshiftBinary() else {
            print("nightshift binary not found: build it and nightshift-full (swift build -c release) or set NIGHTSHIFT_BIN")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nightshift-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = ConcurrencyBenchmarks.key
        let emulator = try ConcurrencyBenchmarks.Emulator.start(
            nightshift, ["--latency-ms", "\(latency)", "--seed", "\(writes)", "--api-key", key],
            database: directory.appendingPathComponent("panel.sqlite").path)
        defer { emulator.stop() }
        let config = directory.appendingPathComponent("nightshift.toml")
        try Data("# no approvals needed: the benchmark times the apply, not the review\n".utf8).write(to: config)
        let script = directory.appendingPathComponent("topup.lua")
        try Data(
            """
            local ids = {}
            for id = 1, \(writes) do ids[id] = id end
            tasks.map(ids, function(id) resellers.add_credits(id, 1) end, {concurrency = \(concurrency)})

            """.utf8
        ).write(to: script)
        let common = [
            "--panel", "http://127.0.0.1:\(emulator.port)/", "--state", directory.appendingPathComponent("state").path,
            "--config", config.path, "--concurrency", "\(concurrency)",
        ]
        let grant = ["--allow", "resellers.add_credits", "--max-credits", "1000000", "--timeout", "10m"]
        let environment = ["NIGHTSHIFT_API_KEY": key]
        print("\(writes) resellers.add_credits against nightshift emulator --latency-ms \(latency) (127.0.0.1:\(emulator.port)), --concurrency \(concurrency)")

        func timed(_ arguments: [String]) throws -> (seconds: Double, errors: String) {
            let start = ContinuousClock.now
            let errors = try RunBenchmarks.runCapturing(nightshift, arguments, environment: environment, keepingOutput: false).errors
            return (RunBenchmarks.seconds(ContinuousClock.now - start), errors)
        }
        let live = try timed(["run", script.path] + grant + common)
        ConcurrencyBenchmarks.row("tasks.map run (live), the baseline", live.seconds, 0, baseline: live.seconds)
        let planFile = directory.appendingPathComponent("topup.plan").path
        let made = try timed(["plan", script.path, "--out", planFile] + grant + common)
        print(String(format: "  %@ %8.2f s   (a dry-run; not part of the apply)", ConcurrencyBenchmarks.pad("nightshift plan"), made.seconds))
        let applied = try timed(["apply", planFile] + common)
        let ratio = applied.seconds / live.seconds
        print(String(format: "  %@ %8.2f s   %5.2fx the run (target at most 1.10x)", ConcurrencyBenchmarks.pad("nightshift apply"), applied.seconds, ratio))
        if let read = panelRead(applied.errors) {
            print(String(format: "  the precondition re-read (one resellers list): %.3f s, %.1f%% of the apply", read, read / applied.seconds * 100))
        }
        if let high = emulator.maxInFlight() { print("  the emulator's most requests in flight at once: \(high)") }
    }

    /// The seconds `apply` reports for reading the panel: "... reading the panel for the
    /// preconditions 0.123 s; ...".
    static func panelRead(_ text: String) -> Double? {
        guard let range = text.range(of: "reading the panel for the preconditions ") else { return nil }
        return Double(text[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }
}
