import ArgumentParser
import Foundation
import Logging
import NightshiftConfig
import Operations
import PanelAPI
import PanelEmulator
import ServiceLifecycle

/// `nightshift emulator`: a local MidnightStreamer Pro panel for trying scripts safely.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run a local MidnightStreamer Pro panel emulator (resellers API).",
        discussion: """
            Serves POST /api/resellers/{new,update,add_credits,list} on a loopback port, storing \
            resellers in its own SQLite file. Stops gracefully on SIGINT or SIGTERM and logs the \
            most requests it had in flight at once. GET /_emulator/stats answers its counters as \
            JSON. See docs/panel.md for the dialect, fault and flood flags.
            """
    )

    @Option(help: "Port to listen on (0 picks a free one, printed at start).")
    var port: Int

    @Option(name: .customLong("api-key"), help: "The API key the emulated panel accepts (or --api-key-file).")
    var apiKey: String?

    @Option(
        name: .customLong("api-key-file"),
        help: "A file holding the API key the emulated panel accepts (mode 600), kept out of `ps`.")
    var apiKeyFile: String?

    // `nightshift run --emulator` starts this command as its child: the key comes on the
    // first line of standard input, and the end of standard input (the parent ended, however
    // it ended) stops the emulator.
    @Flag(name: .customLong("api-key-stdin"), help: .hidden)
    var apiKeyStdin = false

    @Option(help: "SQLite file holding the resellers (created if missing; :memory: keeps them in memory).")
    var db: String

    @Option(help: "Add N realistic resellers at start (the same N names each time).")
    var seed: Int?

    @Option(name: .customLong("allowed-ip"), help: "A caller IP the panel answers (repeatable; default loopback only).")
    var allowedIPs: [String] = []

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("list-shape"), help: "resellers/list shape: bare, wrapped or keyed.")
    var listShape: ResponseDialect.ListShape = .bare

    @Option(help: "Numbers in rows: numbers or strings.")
    var numbers: ResponseDialect.Numbers = .strings

    @Option(name: .customLong("auth-failure"), help: "Wrong key / IP answer: zero-key, error-field or html-403.")
    var authFailure: ResponseDialect.AuthFailure = .zeroKey

    @Option(name: .customLong("result-style"), help: "How `result` is written: bool, string or number.")
    var resultStyle: ResponseDialect.ResultStyle = .bool

    @Option(name: .customLong("content-type"), help: "Content-Type of JSON answers.")
    var contentType: String = "text/html; charset=UTF-8"

    @Option(name: .customLong("latency-ms"), help: "Milliseconds added to every request.")
    var latencyMilliseconds: Int = 0

    @Option(name: .customLong("latency-jitter-ms"), help: "Up to this many milliseconds more per request, uniformly at random (seeded).")
    var latencyJitterMilliseconds: Int = 0

    @Option(
        name: .customLong("max-requests-per-second"),
        help: "Flood protection: past N requests in one second, answer HTTP 429 with Retry-After: 1, unapplied.")
    var maxRequestsPerSecond: Int?

    @Option(name: .customLong("refusal-rate"), help: "Fraction (0-1) of mutations refused (REFUSED (injected fault)), unapplied.")
    var refusalRate: Double = 0

    @Option(name: .customLong("error-rate"), help: "Fraction (0-1) of requests answered with HTTP 500, unapplied.")
    var errorRate: Double = 0

    @Option(name: .customLong("drop-rate"), help: "Fraction (0-1) of requests applied, then the connection dropped.")
    var dropRate: Double = 0

    @Option(name: .customLong("fault-seed"), help: "Seed for choosing which requests fail.")
    var faultSeed: UInt64 = 1

    @Flag(help: "Log every request (the key is never logged).")
    var verbose = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard [apiKey != nil, apiKeyFile != nil, apiKeyStdin].filter({ $0 }).count == 1 else {
            throw ValidationError("give the panel's key with --api-key-file FILE (or --api-key KEY), once")
        }
        if let apiKey, apiKey.isEmpty { throw ValidationError("--api-key must not be empty") }
        guard (0...1).contains(errorRate), (0...1).contains(dropRate), (0...1).contains(refusalRate) else {
            throw ValidationError("--error-rate, --drop-rate and --refusal-rate are fractions between 0 and 1")
        }
        guard latencyMilliseconds >= 0, latencyJitterMilliseconds >= 0, (seed ?? 0) >= 0 else {
            throw ValidationError("--latency-ms, --latency-jitter-ms and --seed must not be negative")
        }
        if let maxRequestsPerSecond, maxRequestsPerSecond < 1 {
            throw ValidationError("--max-requests-per-second must be at least 1 (leave it out for no flood protection)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "nightshift.emulator")
        logger.logLevel = verbose ? .debug : apiKeyStdin ? .error : .info
        let key: String
        if apiKeyStdin {
            guard let line = readLine(), !line.isEmpty else { throw ValidationError("--api-key-stdin: no key on standard input") }
            key = line
            Thread.detachNewThread {
                while FileHandle.standardInput.availableData.count > 0 {}
                Foundation.exit(0)
            }
        } else if let apiKeyFile {
            do {
                key = try KeyFile.read(apiKeyFile)
            } catch {
                throw ValidationError("--api-key-file: \(error)")
            }
        } else {
            key = apiKey ?? ""
        }
        let settings = EmulatorSettings(
            apiKey: key, allowedIPs: Set(allowedIPs),
            dialect: ResponseDialect(
                listShape: listShape, numbers: numbers, authFailure: authFailure, resultStyle: resultStyle,
                contentType: contentType),
            faults: FaultPlan(
                latency: .milliseconds(latencyMilliseconds), latencyJitter: .milliseconds(latencyJitterMilliseconds),
                errorRate: errorRate, dropRate: dropRate, refusalRate: refusalRate, seed: faultSeed),
            maxRequestsPerSecond: maxRequestsPerSecond)
        let store: ResellerStore
        do {
            store = try ResellerStore(path: db)
        } catch {
            throw ValidationError("cannot open --db \(db): \(error)")
        }
        let emulator = PanelEmulator(settings: settings, store: store, logger: logger)
        if let seed, seed > 0 { try await emulator.seed(count: seed) }
        let service = EmulatorService(emulator: emulator, host: host, port: port, logger: logger) { bound in
            // Unbuffered, so a parent process reading our output learns the port at once.
            FileHandle.standardOutput.write(Data("panel emulator listening on http://\(host):\(bound)/\n".utf8))
        }
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        let stats = emulator.statistics
        logger.info(
            "panel emulator stopped",
            metadata: [
                "requests": "\(stats.requests)", "max_in_flight": "\(stats.maxInFlight)",
                "rejected_429": "\(stats.rejected429)",
            ])
    }
}

extension ResponseDialect.ListShape: ExpressibleByArgument {}
extension ResponseDialect.Numbers: ExpressibleByArgument {}
extension ResponseDialect.AuthFailure: ExpressibleByArgument {}
extension ResponseDialect.ResultStyle: ExpressibleByArgument {}
