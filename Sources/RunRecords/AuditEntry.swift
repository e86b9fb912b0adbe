/// One write in the audit log: recorded before it is sent, completed after.
public struct AuditEntry: Sendable, Hashable {
    /// Row number, increasing.
    public var id: Int64
    /// When it was recorded (ISO 8601, UTC).
    public var time: String
    /// The run that made it.
    public var runID: String
    /// The script's path as given.
    public var scriptPath: String
    /// SHA-256 of the script's bytes (hex).
    public var scriptHash: String
    /// `resellers.add_credits`.
    public var endpoint: String
    /// The reseller as the script named it.
    public var target: String
    /// The parameters, PHP-encoded, key redacted.
    public var parameters: String
    /// `live`, `dry-run` or `confirm`.
    public var mode: String
    /// See ``AuditOutcome``.
    public var outcome: String
    /// The panel's answer (JSON) or the failure's message.
    public var answer: String?
    /// The credit change the write makes.
    public var creditChange: Int
    /// Credits before, when known.
    public var creditsBefore: Int?
    /// Credits after, when known.
    public var creditsAfter: Int?
    /// The script or module line that made the write (`topup.lua:33`), when known.
    public var location: String?
    /// The host whose run made the write (its run record's host), when known.
    public var host: String?
    /// The plan whose apply sent it (`nightshift apply`), if any.
    public var planID: String?
    /// The panel it was made for, by name (see ``RunRecord/panel``).
    public var panel: String?

    /// Creates an entry.
    public init(
        id: Int64 = 0, time: String, runID: String, scriptPath: String, scriptHash: String, endpoint: String,
        target: String, parameters: String, mode: String, outcome: String, answer: String? = nil, creditChange: Int = 0,
        creditsBefore: Int? = nil, creditsAfter: Int? = nil, location: String? = nil, host: String? = nil,
        planID: String? = nil, panel: String? = nil
    ) {
        self.planID = planID
        self.panel = panel
        self.host = host
        self.location = location
        self.id = id
        self.time = time
        self.runID = runID
        self.scriptPath = scriptPath
        self.scriptHash = scriptHash
        self.endpoint = endpoint
        self.target = target
        self.parameters = parameters
        self.mode = mode
        self.outcome = outcome
        self.answer = answer
        self.creditChange = creditChange
        self.creditsBefore = creditsBefore
        self.creditsAfter = creditsAfter
    }
}

/// The words the audit log's `outcome` column uses.
public enum AuditOutcome {
    /// Recorded before sending; stays so if the process dies or no usable answer came.
    public static let unknown = "outcome unknown"
    /// The panel said yes.
    public static let done = "done"
    /// The panel said no, or the call failed before anything was applied.
    public static let failed = "failed"
    /// Refused by the grant (function not allowed or a credit cap); nothing was sent.
    public static let refused = "refused"
    /// Dry-run: planned, not sent.
    public static let planned = "planned"
    /// Confirm mode: the operator said no; nothing was sent.
    public static let declined = "declined"
}
