import NightshiftCore

/// What the console reads from the run records and the audit log, and where it records what
/// its users do. `AuditRecords` reads the state folder's audit.sqlite; tests may read fixed
/// rows. Every list is one page: newest first, from an opaque cursor.
public protocol ConsoleRecords: Sendable {
    /// A page of runs.
    func runs(_ filter: RunFilter, before cursor: String?, limit: Int) async throws -> [ConsoleRun]
    /// One run, or nil.
    func run(id: String) async throws -> ConsoleRun?
    /// A run's writes after the write `afterID`, oldest first.
    func runWrites(runID: String, afterID: Int64, limit: Int) async throws -> [ConsoleWrite]
    /// A run's writes counted by outcome.
    func runTotals(runID: String) async throws -> ConsoleRunTotals
    /// A page of writes, newest first.
    func writes(_ filter: WriteFilter, before cursor: String?, limit: Int) async throws -> [ConsoleWrite]
    /// Targets with the credits last measured, in name order, after `after`, starting with `prefix`.
    func creditsSeen(after: String?, prefix: String?, limit: Int) async throws -> [ConsoleCreditsSeen]
    /// Targets written to that start with `prefix`, in name order.
    func targets(prefix: String, limit: Int) async throws -> [String]
    /// Credits moved per day (UTC) and target by done writes between two ISO 8601 times.
    func dailyCredits(since: String, until: String) async throws -> [ConsoleDailyCredits]
    /// Records what a console user did.
    func record(_ action: ConsoleActionEntry) async throws
    /// Console actions, newest first.
    func actions(user: String?, before cursor: String?, limit: Int) async throws -> [ConsoleActionEntry]
}

/// A run as the console shows it.
public struct ConsoleRun: Sendable, Hashable {
    /// The run's id.
    public var id: String
    /// The script's path, or `(repl)`.
    public var script: String
    /// SHA-256 of the script.
    public var scriptHash: String
    /// `k=v` pairs.
    public var arguments: String
    /// The grant in words.
    public var grant: String
    /// `live`, `dry-run`, `confirm`.
    public var mode: String
    /// ISO 8601.
    public var startedAt: String
    /// ISO 8601, nil while running.
    public var endedAt: String?
    /// The run's status.
    public var status: RunStatus
    /// What it printed (empty in lists).
    public var output: String
    /// The error that ended it.
    public var error: String?
    /// `path sha256` lines, one per module loaded.
    public var modules: String
    /// The host that ran it.
    public var host: String?
    /// The job, when the scheduler started it.
    public var job: String?
    /// `scheduled`, `catch-up`, `manual`, `run` or `repl`.
    public var kind: String
    /// The scheduler's slot (seconds since the epoch).
    public var slot: Int64?
    /// The attempt of the slot.
    public var attempt: Int?
    /// Where the next page starts, when this is a page's last run.
    public var cursor: String

    /// Creates a run.
    public init(
        id: String, script: String, scriptHash: String = "", arguments: String = "", grant: String = "", mode: String,
        startedAt: String, endedAt: String? = nil, status: RunStatus, output: String = "", error: String? = nil,
        modules: String = "", host: String? = nil, job: String? = nil, kind: String, slot: Int64? = nil,
        attempt: Int? = nil, cursor: String = ""
    ) {
        self.id = id
        self.script = script
        self.scriptHash = scriptHash
        self.arguments = arguments
        self.grant = grant
        self.mode = mode
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.output = output
        self.error = error
        self.modules = modules
        self.host = host
        self.job = job
        self.kind = kind
        self.slot = slot
        self.attempt = attempt
        self.cursor = cursor
    }
}

/// A write as the console shows it.
public struct ConsoleWrite: Sendable, Hashable {
    /// Row number.
    public var id: Int64
    /// ISO 8601.
    public var time: String
    /// The run that made it.
    public var runID: String
    /// The script that made it.
    public var script: String
    /// `resellers.add_credits`.
    public var endpoint: String
    /// The reseller as the script named it.
    public var target: String
    /// The parameters, key redacted.
    public var parameters: String
    /// `live`, `dry-run`, `confirm`.
    public var mode: String
    /// `done`, `failed`, `refused`, `planned`, `declined`, `outcome unknown`.
    public var outcome: String
    /// The panel's answer.
    public var answer: String?
    /// The credit change.
    public var creditChange: Int
    /// Credits before, when known.
    public var creditsBefore: Int?
    /// Credits after, when known.
    public var creditsAfter: Int?
    /// The script line (`topup.lua:33`).
    public var location: String?
    /// The run's host.
    public var host: String?
    /// Where the next page starts.
    public var cursor: String

    /// Creates a write.
    public init(
        id: Int64, time: String, runID: String, script: String = "", endpoint: String, target: String,
        parameters: String = "", mode: String = "live", outcome: String, answer: String? = nil, creditChange: Int = 0,
        creditsBefore: Int? = nil, creditsAfter: Int? = nil, location: String? = nil, host: String? = nil,
        cursor: String = ""
    ) {
        self.id = id
        self.time = time
        self.runID = runID
        self.script = script
        self.endpoint = endpoint
        self.target = target
        self.parameters = parameters
        self.mode = mode
        self.outcome = outcome
        self.answer = answer
        self.creditChange = creditChange
        self.creditsBefore = creditsBefore
        self.creditsAfter = creditsAfter
        self.location = location
        self.host = host
        self.cursor = cursor
    }
}

/// A run's writes counted.
public struct ConsoleRunTotals: Sendable, Hashable {
    /// Writes by outcome.
    public var byOutcome: [String: Int]
    /// Credits moved by done writes.
    public var creditsMoved: Int

    /// Creates totals.
    public init(byOutcome: [String: Int], creditsMoved: Int) {
        self.byOutcome = byOutcome
        self.creditsMoved = creditsMoved
    }
}

/// A reseller's credits as last measured.
public struct ConsoleCreditsSeen: Sendable, Hashable {
    /// The target as the audit log names it.
    public var target: String
    /// Credits after the last write that measured them.
    public var credits: Int
    /// When.
    public var time: String
    /// The run.
    public var runID: String

    /// Creates one.
    public init(target: String, credits: Int, time: String, runID: String) {
        self.target = target
        self.credits = credits
        self.time = time
        self.runID = runID
    }
}

/// Credits moved on one day to one target.
public struct ConsoleDailyCredits: Sendable, Hashable {
    /// `2026-03-01`.
    public var day: String
    /// The target.
    public var target: String
    /// The sum of the changes.
    public var credits: Int

    /// Creates one.
    public init(day: String, target: String, credits: Int) {
        self.day = day
        self.target = target
        self.credits = credits
    }
}

/// The actions the console records.
public enum ConsoleAction {
    /// A user logged in.
    public static let login = "login"
    /// A wrong name or password.
    public static let loginFailed = "login failed"
    /// A login refused by the throttle, the password unchecked.
    public static let loginThrottled = "login throttled"
    /// A user logged out.
    public static let logout = "logout"
    /// Run now.
    public static let trigger = "run now"
    /// Pause.
    public static let pause = "pause"
    /// Resume.
    public static let resume = "resume"
    /// A POST refused: no session, bad CSRF token, cross-origin, or a role without the right.
    public static let refused = "refused"
}
