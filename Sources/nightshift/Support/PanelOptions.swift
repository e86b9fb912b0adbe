import ArgumentParser
import Logging
import Operations
import PanelAPI
import ScriptRuntime
import NightshiftConfig

/// `--panel URL | --emulator`, `--key-file`, `--concurrency` and `--rate`: which panel to
/// talk to and how politely, for `run` and `repl`.
struct PanelOptions: ParsableArguments {
    @Option(help: "The panel's base URL (default: url in nightshift.toml).")
    var panel: String?

    @Flag(help: "Use the built-in panel emulator with seeded resellers instead of a real panel.")
    var emulator = false

    @Option(name: .customLong("key-file"), help: "File holding the API key (mode 600); NIGHTSHIFT_API_KEY wins.")
    var keyFile: String?

    @Option(help: "Most panel requests in flight at once (default 4, or concurrency in nightshift.toml).")
    var concurrency: Int?

    @Option(help: "Most panel requests started per second (default: no limit, or rate in nightshift.toml).")
    var rate: Double?

    func validate() throws {
        if emulator && panel != nil { throw ValidationError("--emulator and --panel cannot be combined") }
        if let concurrency, concurrency < 1 {
            throw ValidationError("--concurrency must be at least 1 (the most requests in flight at once), got \(concurrency)")
        }
        if let rate, !(rate > 0 && rate.isFinite) {
            throw ValidationError("--rate must be a number of requests per second above 0, e.g. --rate 20; leave it out for no limit")
        }
    }

    /// How polite to be: the flags, else nightshift.toml's [panel], else the defaults.
    func politeness(_ configuration: NightshiftConfiguration) -> PanelConnection.Politeness {
        PanelConnection.Politeness(
            concurrency: concurrency ?? configuration.panelConcurrency ?? PanelConfiguration.defaultConcurrency,
            rate: rate ?? configuration.panelRate)
    }

    /// Opens the connection the flags and the configuration describe.
    func connect(
        environment: Environment, configuration: NightshiftConfiguration, timeout: Duration, logger: Logger
    ) async throws(CommandFailure) -> PanelConnection {
        let politeness = politeness(configuration)
        if emulator { return try await PanelConnection.emulator(timeout: timeout, politeness: politeness, logger: logger) }
        guard let url = panel ?? configuration.panelURL else {
            throw CommandFailure(
                .configuration, "no panel: give --panel http://HOST:8000/, set url in nightshift.toml, or try --emulator")
        }
        let key = try environment.apiKey(keyFile: keyFile, configuration: configuration)
        let placement = KeyPlacement(rawValue: configuration.keyPlacement ?? "post") ?? .postField
        return try PanelConnection.http(
            url: url, key: key, placement: placement, timeout: timeout, politeness: politeness, logger: logger)
    }
}
