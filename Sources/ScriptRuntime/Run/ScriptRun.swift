import LuaHost
import NightshiftConfig
import ScriptAPI

/// One run: a script, its arguments, a grant, a mode and limits.
public struct ScriptRun: Sendable {
    /// The script's path as the operator gave it (for records and messages).
    public var scriptPath: String
    /// The script's bytes.
    public var source: [UInt8]
    /// `--arg k=v` pairs, in order; scripts see them as the `args` table (values are strings).
    public var arguments: [(key: String, value: String)]
    /// What the script may do.
    public var grant: Grant
    /// Live, dry-run or confirm.
    public var mode: RunMode
    /// Instructions, memory and time.
    public var limits: LuaLimits
    /// The most tasks alive at once (`--max-tasks`); one more ends the run with a limit error.
    public var maxTasks: Int
    /// The folders `require` searches (`--module-path`, `[modules] paths`), in order.
    public var modulePaths: [String]
    /// The script API the run offers (the standard one unless a host adds groups).
    public var catalogue: APICatalogue
    /// The panel's name, as scripts read it (`panel.name`) and records keep it.
    public var panel: String
    /// The fleet's shared credit cap, when the run is one panel of a fleet.
    public var fleet: FleetLedger?

    /// Creates a run.
    public init(
        scriptPath: String, source: [UInt8], arguments: [(key: String, value: String)] = [], grant: Grant = Grant(),
        mode: RunMode = .live, limits: LuaLimits = LuaLimits(), maxTasks: Int = ScriptRun.defaultMaxTasks,
        modulePaths: [String] = [], catalogue: APICatalogue = .standard, panel: String = PanelDefinition.defaultName,
        fleet: FleetLedger? = nil
    ) {
        self.fleet = fleet
        self.catalogue = catalogue
        self.panel = panel
        self.scriptPath = scriptPath
        self.source = source
        self.arguments = arguments
        self.grant = grant
        self.mode = mode
        self.limits = limits
        self.maxTasks = maxTasks
        self.modulePaths = modulePaths
    }

    /// The default task limit: far more than any bulk job needs (tasks wait for the panel
    /// `--concurrency` at a time), few enough that a spawn bomb ends in well under a second.
    public static let defaultMaxTasks = 10_000

    /// SHA-256 of the source, hex.
    public var scriptHash: String { ContentHash.sha256(source) }

    /// `k=v k2=v2`, as run records keep them.
    public var argumentsText: String { arguments.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
}
