import ArgumentParser

/// `--panels` and `--max-credits-total`: a fleet run of `run` (docs/fleets.md).
public struct FleetOptions: ParsableArguments {
    public init() {}

    @Option(
        help: ArgumentHelp(
            "Run the script once per panel, all at once: panel names of nightshift.toml separated by commas ([panels.NAME]), or all.",
            valueName: "names"))
    public var panels: String?

    @Option(
        name: .customLong("max-credits-total"),
        help: "With --panels: the most credits the whole fleet may move (exact, shared by the panels' runs); each panel's --max-credits still applies, and defaults to this.")
    public var maxCreditsTotal: Int?

    public func validate() throws {
        if let maxCreditsTotal {
            guard panels != nil else {
                throw ValidationError("--max-credits-total spans a fleet: give --panels too, or use --max-credits for one panel")
            }
            guard maxCreditsTotal >= 0 else { throw ValidationError("--max-credits-total must be 0 or more") }
        }
    }

    /// With `--panels`, the flags that name one panel are refused, saying why.
    public func validate(with panel: PanelOptions) throws {
        guard panels != nil else { return }
        if panel.panel != nil || panel.emulator {
            throw ValidationError("--panels names the fleet's panels: leave out --panel and --emulator")
        }
        if panel.keyFile != nil {
            throw ValidationError("--key-file holds one key: a fleet's panels each take their own (key_file in [panels.NAME], or a systemd credential)")
        }
    }
}
