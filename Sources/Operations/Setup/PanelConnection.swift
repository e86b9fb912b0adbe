import Foundation
import Logging
import NightshiftConfig
import PanelAPI

/// The panel a command talks to: a real one over HTTP, or the built-in emulator
/// (`--emulator`): `nightshift-full emulator` as a child process on a free loopback port,
/// with a seeded SQLite database in memory.
public struct PanelConnection: Sendable {
    /// The client scripts call through.
    public let client: PanelClient
    /// What to show the operator: the URL (never the key) or "built-in emulator".
    public let label: String
    /// The panel's name: `eu` for `[panels.eu]`, `default` for `[panel]` or a URL,
    /// ``emulatorName`` for `--emulator`. Scripts read it as `panel.name`.
    public let name: String
    private let close: @Sendable () async -> Void

    /// The name of the built-in emulator's panel.
    public static let emulatorName = "emulator"

    /// How many resellers `--emulator` seeds.
    public static let emulatorSeed = 12

    /// `--concurrency` and `--rate`, resolved against nightshift.toml.
    public struct Politeness: Sendable, Equatable {
        /// Most requests in flight at once.
        public var concurrency: Int
        /// Most requests started per second; nil for no limit.
        public var rate: Double?

        /// Creates one.
        public init(concurrency: Int, rate: Double?) {
            self.concurrency = concurrency
            self.rate = rate
        }

        /// The flags' values, else the panel's (`[panels.NAME]`, then `[panel]`), else the defaults.
        public init(concurrency: Int?, rate: Double?, panel: PanelDefinition) {
            self.init(
                concurrency: concurrency ?? panel.concurrency ?? PanelConfiguration.defaultConcurrency, rate: rate ?? panel.rate)
        }
    }

    /// Releases connections and temporary files.
    public func shutdown() async { await close() }

    /// The time for one panel call when nightshift.toml gives none.
    public static let defaultTimeout: Duration = .seconds(30)

    /// A real panel over HTTP.
    /// - Parameters:
    ///   - limit: the most one call may take, whatever the panel's timeout (a run's time
    ///     limit: calls never outlive the run).
    ///   - retry: how reads are retried (`panels test` tries once).
    public static func http(
        _ panel: PanelDefinition, key: PanelKey, within limit: Duration? = nil, politeness: Politeness,
        retry: PanelRetryPolicy = PanelRetryPolicy(), logger: Logger
    ) throws(CommandFailure) -> PanelConnection {
        guard let url = panel.url else {
            throw CommandFailure(
                .configuration, "no panel: give --panel http://HOST:8000/ or --panel NAME, set url in nightshift.toml, or try --emulator")
        }
        let baseURL: PanelURL
        do {
            baseURL = try PanelURL(url)
        } catch {
            let place = panel.name == PanelDefinition.defaultName ? "--panel or url in [panel]" : "url in [panels.\(panel.name)]"
            throw CommandFailure(.configuration, "the panel URL \(url) is not usable: \(error); give it as http://HOST:8000/ with \(place)")
        }
        let timeout = min(panel.timeout ?? defaultTimeout, limit ?? .seconds(Int64.max))
        let configuration = PanelConfiguration(
            baseURL: baseURL, apiKey: APIKey(key.secret), keyPlacement: panel.keyInURL == true ? .pathSegment : .postField,
            timeout: timeout, connectTimeout: min(timeout, .seconds(10)), retry: retry, concurrency: politeness.concurrency,
            rate: politeness.rate)
        let (client, transport) = PanelClient.http(configuration: configuration, logger: logger)
        return PanelConnection(client: client, label: baseURL.description, name: panel.name) { try? await transport.shutdown() }
    }

    /// The built-in emulator: `nightshift-full emulator` started as a child on a free port of
    /// 127.0.0.1, with a fresh database in memory seeded with realistic resellers (the same
    /// ones every time) and a key made for this run, handed over on its standard input. The
    /// child stops when this process closes that input, at ``shutdown()`` or however this
    /// process ends, and leaves no file behind.
    public static func emulator(timeout: Duration, politeness: Politeness, logger: Logger) async throws(CommandFailure)
        -> PanelConnection
    {
        let path = try Executables.fullPath(for: "--emulator")
        let key = UUID().uuidString
        let child: ChildProcess
        do {
            child = try ChildProcess(
                path, ["emulator", "--port", "0", "--db", ":memory:", "--seed", String(emulatorSeed), "--api-key-stdin"])
        } catch {
            throw CommandFailure(.configuration, "cannot start the built-in emulator (\(path)): \(error)")
        }
        child.send(key + "\n")
        let line = await child.line(before: .now + .seconds(10))
        guard let line, let port = Self.port(announced: line) else {
            child.stop()
            let said = child.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            throw CommandFailure(
                .configuration,
                "cannot start the built-in emulator (\(path)): \(said.isEmpty ? "it did not say which port it listens on within 10 s" : said)")
        }
        let configuration: PanelConfiguration
        do {
            configuration = PanelConfiguration(
                baseURL: try PanelURL("http://127.0.0.1:\(port)/"), apiKey: APIKey(key), timeout: timeout,
                connectTimeout: min(timeout, .seconds(10)), concurrency: politeness.concurrency, rate: politeness.rate)
        } catch {
            child.stop()
            throw CommandFailure(.configuration, "cannot reach the built-in emulator on port \(port): \(error)")
        }
        let (client, transport) = PanelClient.http(configuration: configuration, logger: logger)
        return PanelConnection(client: client, label: "built-in emulator (\(emulatorSeed) seeded resellers)", name: emulatorName) {
            try? await transport.shutdown()
            child.closeInput()
            _ = await child.wait(until: .now + .seconds(2))
        }
    }

    /// The port in the emulator's first line, `panel emulator listening on http://127.0.0.1:PORT/`.
    static func port(announced line: String) -> Int? {
        guard let range = line.range(of: "http://127.0.0.1:") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}
