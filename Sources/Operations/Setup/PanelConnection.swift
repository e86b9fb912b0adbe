import Foundation
import Logging
import PanelAPI
import PanelEmulator

/// The panel a command talks to: a real one over HTTP, or the built-in emulator in-process
/// with a seeded SQLite database in memory (`--emulator`).
public struct PanelConnection: Sendable {
    /// The client scripts call through.
    public let client: PanelClient
    /// What to show the operator: the URL (never the key) or "built-in emulator".
    public let label: String
    private let close: @Sendable () async -> Void

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
    }

    /// Releases connections and temporary files.
    public func shutdown() async { await close() }

    /// A real panel over HTTP.
    public static func http(
        url: String, key: String, placement: KeyPlacement, timeout: Duration, politeness: Politeness, logger: Logger
    ) throws(CommandFailure)
        -> PanelConnection
    {
        let baseURL: PanelURL
        do {
            baseURL = try PanelURL(url)
        } catch {
            throw CommandFailure(.configuration, "the panel URL \(url) is not usable: \(error); give it as http://HOST:8000/ with --panel or url in nightshift.toml")
        }
        let configuration = PanelConfiguration(
            baseURL: baseURL, apiKey: APIKey(key), keyPlacement: placement, timeout: timeout,
            connectTimeout: min(timeout, .seconds(10)), concurrency: politeness.concurrency, rate: politeness.rate)
        let (client, transport) = PanelClient.http(configuration: configuration, logger: logger)
        return PanelConnection(client: client, label: baseURL.description) { try? await transport.shutdown() }
    }

    /// The built-in emulator, in-process, on a fresh database in memory seeded with realistic
    /// resellers (the same ones every time). It leaves no file behind, however the process
    /// ends.
    public static func emulator(timeout: Duration, politeness: Politeness, logger: Logger) async throws(CommandFailure)
        -> PanelConnection
    {
        let key = UUID().uuidString
        do {
            let store = try ResellerStore(path: ":memory:")
            let emulator = PanelEmulator(settings: EmulatorSettings(apiKey: key), store: store, logger: logger)
            try await emulator.seed(count: emulatorSeed)
            let configuration = PanelConfiguration(
                baseURL: try PanelURL("http://127.0.0.1:8000/"), apiKey: APIKey(key), timeout: timeout,
                concurrency: politeness.concurrency, rate: politeness.rate)
            let client = PanelClient(
                configuration: configuration, transport: InProcessTransport(emulator: emulator), logger: logger)
            return PanelConnection(client: client, label: "built-in emulator (\(emulatorSeed) seeded resellers)") {}
        } catch {
            throw CommandFailure(.configuration, "cannot start the built-in emulator: \(error)")
        }
    }
}
