import ArgumentParser
import Logging
import NightshiftConfig
import Operations
import PanelAPI
import ScriptRuntime

/// `--panel URL|NAME | --emulator`, `--key-file`, `--concurrency` and `--rate`: which panel
/// to talk to and how politely, for `run`, `plan`, `repl` and `apply`.
public struct PanelOptions: ParsableArguments {
    public init() {}

    @Option(help: "The panel: its base URL, or the name of a [panels.NAME] in nightshift.toml (default: [panel]).")
    public var panel: String?

    @Flag(help: "Use the built-in panel emulator with seeded resellers instead of a real panel.")
    public var emulator = false

    @Option(
        name: .customLong("key-file"),
        help: "File holding the panel's API key (mode 600), in place of its key_file (docs/fleets.md gives the order).")
    public var keyFile: String?

    @Option(help: "Most panel requests in flight at once (default 4, or concurrency in nightshift.toml).")
    public var concurrency: Int?

    @Option(help: "Most panel requests started per second (default: no limit, or rate in nightshift.toml).")
    public var rate: Double?

    // Taken only to refuse it with what to do instead: a key on the command line is seen by
    // every user of the machine (ps, /proc/PID/cmdline) and lands in shell histories.
    @Option(name: .customLong("api-key"), help: .hidden)
    public var apiKey: String?

    public func validate() throws {
        if apiKey != nil { throw ValidationError(Self.noKeyArgument) }
        if emulator && panel != nil { throw ValidationError("--emulator and --panel cannot be combined") }
        if let concurrency, concurrency < 1 {
            throw ValidationError("--concurrency must be at least 1 (the most requests in flight at once), got \(concurrency)")
        }
        if let rate, !(rate > 0 && rate.isFinite) {
            throw ValidationError("--rate must be a number of requests per second above 0, e.g. --rate 20; leave it out for no limit")
        }
    }

    /// Why `--api-key` is refused, and what to do.
    public static let noKeyArgument =
        "--api-key: a key is never taken on the command line (other users can read it in ps): put it in a file only you can read (chmod 600) and name it with key_file in nightshift.toml, --key-file or NIGHTSHIFT_API_KEY_FILE (docs/fleets.md)"

    /// How polite to be with `panel`: the flags, else nightshift.toml's, else the defaults.
    public func politeness(_ panel: PanelDefinition) -> PanelConnection.Politeness {
        PanelConnection.Politeness(concurrency: concurrency, rate: rate, panel: panel)
    }

    /// The panel `--panel` names (a URL or a name), else `[panel]`.
    public func definition(_ configuration: NightshiftConfiguration) throws(CommandFailure) -> PanelDefinition {
        do {
            return try configuration.panel(panel)
        } catch {
            throw CommandFailure(.configuration, "--panel \(panel ?? ""): \(error.description)")
        }
    }

    /// Opens the connection the flags and the configuration describe.
    /// - Parameter limit: the most one call may take (a run's time limit), whatever the panel's timeout.
    public func connect(
        environment: Environment, configuration: NightshiftConfiguration, within limit: Duration?, logger: Logger
    ) async throws(CommandFailure) -> PanelConnection {
        let panel = try definition(configuration)
        let politeness = politeness(panel)
        if emulator {
            let timeout = min(panel.timeout ?? PanelConnection.defaultTimeout, limit ?? .seconds(Int64.max))
            return try await PanelConnection.emulator(timeout: timeout, politeness: politeness, logger: logger)
        }
        let key = try environment.key(for: panel, keyFile: keyFile)
        if let note = key.note { Output.error(note) }
        return try PanelConnection.http(panel, key: key, within: limit, politeness: politeness, logger: logger)
    }
}
