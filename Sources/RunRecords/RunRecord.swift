import NightshiftCore

/// One run as the audit database keeps it.
public struct RunRecord: Sendable, Hashable {
    /// The run's id (random, printed at start).
    public var id: String
    /// The script's path as given.
    public var scriptPath: String
    /// SHA-256 of the script (hex).
    public var scriptHash: String
    /// The arguments, `k=v` joined by spaces.
    public var arguments: String
    /// The grant, as ``Grant/description``.
    public var grant: String
    /// `live`, `dry-run` or `confirm`.
    public var mode: String
    /// Start (ISO 8601, UTC).
    public var startedAt: String
    /// End, or nil while running (or if the process died).
    public var endedAt: String?
    /// How it stands or ended; `running` until it ends.
    public var status: RunStatus
    /// What the script printed and logged, at most ``RunRecord/outputLimit`` bytes.
    public var output: String
    /// The error that ended it, if any.
    public var error: String?
    /// The modules the script loaded with `require`: one `path sha256` line each.
    public var modules: String
    /// The process that ran it, to tell a run still going from one whose process died.
    public var process: ProcessIdentity?
    /// The host that ran it (`NIGHTSHIFT_HOST` or the host name); nil for runs recorded
    /// before hosts were, when read from an audit log that has no host of its own.
    public var host: String?
    /// The panel it ran against, by name (`eu` for `[panels.eu]`, `default`, `emulator`);
    /// nil for runs recorded before panels had names.
    public var panel: String?
    /// The fleet (`nightshift run --panels`) it was one panel of, by id; nil for a run alone.
    public var fleet: String?

    /// The most output bytes kept per run.
    public static let outputLimit = 64 * 1024

    /// Creates a record.
    public init(
        id: String, scriptPath: String, scriptHash: String, arguments: String, grant: String, mode: String,
        startedAt: String, endedAt: String? = nil, status: RunStatus = .running, output: String = "", error: String? = nil,
        modules: String = "", process: ProcessIdentity? = nil, host: String? = nil, panel: String? = nil,
        fleet: String? = nil
    ) {
        self.host = host
        self.panel = panel
        self.fleet = fleet
        self.modules = modules
        self.process = process
        self.id = id
        self.scriptPath = scriptPath
        self.scriptHash = scriptHash
        self.arguments = arguments
        self.grant = grant
        self.mode = mode
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.output = output
        self.error = error
    }
}
