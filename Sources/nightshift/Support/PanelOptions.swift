import ArgumentParser
import Logging
import PanelAPI
import ScriptRuntime

/// `--panel URL | --emulator` and `--key-file`: which panel to talk to, for `run` and `repl`.
struct PanelOptions: ParsableArguments {
    @Option(help: "The panel's base URL (default: url in nightshift.toml).")
    var panel: String?

    @Flag(help: "Use the built-in panel emulator with seeded resellers instead of a real panel.")
    var emulator = false

    @Option(name: .customLong("key-file"), help: "File holding the API key (mode 600); NIGHTSHIFT_API_KEY wins.")
    var keyFile: String?

    func validate() throws {
        if emulator && panel != nil { throw ValidationError("--emulator and --panel cannot be combined") }
    }

    /// Opens the connection the flags and the configuration describe.
    func connect(
        environment: Environment, configuration: NightshiftConfiguration, timeout: Duration, logger: Logger
    ) async throws(RunCommandFailure) -> PanelConnection {
        if emulator { return try await PanelConnection.emulator(timeout: timeout, logger: logger) }
        guard let url = panel ?? configuration.panelURL else {
            throw RunCommandFailure(
                .configuration, "no panel: give --panel http://HOST:8000/, set url in nightshift.toml, or try --emulator")
        }
        let key = try environment.apiKey(keyFile: keyFile, configuration: configuration)
        let placement = KeyPlacement(rawValue: configuration.keyPlacement ?? "post") ?? .postField
        return try PanelConnection.http(url: url, key: key, placement: placement, timeout: timeout, logger: logger)
    }
}
