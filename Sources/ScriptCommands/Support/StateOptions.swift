import ArgumentParser

/// `--config` and `--state`, shared by every command that reads configuration or state.
public struct StateOptions: ParsableArguments {
    public init() {}

    @Option(name: .customLong("config"), help: "nightshift.toml to use (default: ./nightshift.toml, then ~/.config/nightshift/).")
    public var configPath: String?

    @Option(name: .customLong("state"), help: "State folder holding audit.sqlite (default: see docs/configuration.md).")
    public var stateDirectory: String?
}
