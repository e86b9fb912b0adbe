/// One scheduled job: which script runs, when, with what grant and limits, and what
/// happens on overlap and after downtime.
public struct Job: Sendable {
    /// Unique name; the key of the job's state and history.
    public var name: String
    /// The Lua script `nightshift run` runs (a path, relative paths from the config's folder).
    public var script: String
    /// Script arguments, passed as `--arg key=value` in this order.
    public var arguments: [(key: String, value: String)]
    /// When the job fires.
    public var schedule: Schedule
    /// The zone the cron expression is read in.
    public var zone: ZoneRules
    /// What the run may do.
    public var grant: JobGrant
    /// The run's time limit in seconds; the child is killed at its deadline.
    public var timeout: Int64
    /// The run's memory limit as `nightshift run --memory` reads it (`64M`), if any.
    public var memory: String?
    /// Extra `nightshift run` flags, e.g. `["--dry-run"]`, `["--panel", "https://..."]`, or
    /// the file's `extra_args`.
    public var runFlags: [String]
    /// Replaces the whole child command line when set (wrappers, tests); `script` is then unused.
    public var command: [String]?
    /// What happens when a slot comes while the previous run is still going.
    public var overlap: OverlapPolicy
    /// What happens to slots missed while the daemon was down.
    public var catchUp: CatchUpPolicy
    /// Each slot starts up to this many seconds late, by an amount fixed per slot.
    public var jitter: Int64
    /// A paused job's slots pass without running.
    public var paused: Bool
    /// Who hears about its runs (webhook, ping, command) and for which events.
    public var notify = JobNotify()
    /// Whether and how a run that failed before sending anything is run again; nil: never.
    public var retry: JobRetryPolicy?
    /// `approval = "required"`: each slot makes a plan (`nightshift plan --await-approval`),
    /// which waits for its approvals and is then applied, or ends `expired` (docs/plans.md).
    public var approval = false
    /// How long a slot's plan waits for approval, in seconds (`approval_timeout`, default 1 h;
    /// never past the plan's own expiry).
    public var approvalTimeout: Int64 = 3600

    /// The most a run may take before the daemon kills it: its `timeout`, plus the wait for
    /// approval of a job that waits for one.
    public var runLimit: Int64 { timeout + (approval ? approvalTimeout : 0) }
    /// The `[pools]` entry whose size caps this job's runs, with every other job of the
    /// pool, across all daemons of the store; nil: none.
    public var pool: String?
    /// At most this many runs of this job at once across all daemons of the store
    /// (`max_running_cluster`); nil: no cluster-wide limit of its own.
    public var maxRunningCluster: Int?
    /// The panels of nightshift.toml the job names (`panel = "eu"`, or a fleet's `panels`),
    /// for `jobs check --panels`; empty for a URL, `[panel]` or the emulator.
    public var panels: [String] = []

    /// Creates a job; only name, script and schedule have no default.
    public init(
        name: String, script: String, arguments: [(key: String, value: String)] = [], schedule: Schedule,
        zone: ZoneRules = .utc, grant: JobGrant = JobGrant(), timeout: Int64 = 300, memory: String? = nil,
        runFlags: [String] = [], command: [String]? = nil, overlap: OverlapPolicy = .skip,
        catchUp: CatchUpPolicy = .once, jitter: Int64 = 0, paused: Bool = false, retry: JobRetryPolicy? = nil
    ) {
        self.name = name
        self.script = script
        self.arguments = arguments
        self.schedule = schedule
        self.zone = zone
        self.grant = grant
        self.timeout = timeout
        self.memory = memory
        self.runFlags = runFlags
        self.command = command
        self.overlap = overlap
        self.catchUp = catchUp
        self.jitter = jitter
        self.paused = paused
        self.retry = retry
    }

    /// The child's command line: `command` if set, else `runner run SCRIPT` (`runner plan
    /// SCRIPT --await-approval T` for a job that waits for approval) with the arguments,
    /// grant, limits and extra flags.
    public func commandLine(runner: [String], receipt: String? = nil) -> [String] {
        if let command { return command }
        var line = runner + (approval ? ["plan", script, "--await-approval", DurationText.text(approvalTimeout)] : ["run", script])
        if let receipt { line += ["--result-file", receipt] }
        for argument in arguments { line += ["--arg", "\(argument.key)=\(argument.value)"] }
        line += grant.flags
        line += ["--timeout", DurationText.text(timeout)]
        if let memory { line += ["--memory", memory] }
        line += runFlags
        return line
    }

    /// The delay, in `0...jitter` seconds, of one slot's start: derived from the job's name
    /// and the slot, so it is the same after a restart.
    public func jitterDelay(forSlot slot: Int64) -> Int64 {
        guard jitter > 0 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var value = UInt64(bitPattern: slot)
        for _ in 0..<8 {
            hash = (hash ^ (value & 0xff)) &* 0x100_0000_01b3
            value >>= 8
        }
        return Int64(hash % UInt64(jitter + 1))
    }
}
