import ArgumentParser

/// `--config` and `--state`, shared by every command that reads configuration or state.
struct StateOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "nightshift.toml to use (default: ./nightshift.toml, then ~/.config/nightshift/).")
    var configPath: String?

    @Option(name: .customLong("state"), help: "State folder holding audit.sqlite (default: see docs/configuration.md).")
    var stateDirectory: String?
}
