import NightshiftCore
import ScriptAPI

/// What one run did.
public struct RunResult: Sendable {
    /// The run's id.
    public var runID: String
    /// How it ended.
    public var status: RunStatus
    /// The error that ended it, readable, never the key.
    public var error: String?
    /// The error's kind when it was an API failure (`panel refused`, `credit cap`, ...).
    public var errorKind: String?
    /// Dry-run: the writes a live run would make, in order.
    public var plan: [PlannedChange]
    /// Dry-run: the same writes as data, for a plan file.
    public var plannedWrites: [Write] = []
    /// Dry-run: the reads made for the script, with their answers.
    public var readAnswers: [ReadAnswer] = []
    /// Writes sent to the panel (live and confirm).
    public var writesSent: Int
    /// Credits moved (sum of absolute changes), planned in dry-run.
    public var creditsMoved: Int
    /// Notifications handed to their targets (live and confirm).
    public var notificationsSent: Int
    /// What the script printed and logged (bounded).
    public var output: String
    /// The modules the script loaded with `require`, in the order they were first loaded.
    public var modules: [Module] = []

    /// One module file a run loaded.
    public struct Module: Sendable, Hashable {
        /// Its real path.
        public var path: String
        /// SHA-256 of its bytes, hex.
        public var sha256: String
    }

    /// Creates a result.
    public init(
        runID: String, status: RunStatus, error: String? = nil, errorKind: String? = nil, plan: [PlannedChange] = [],
        writesSent: Int = 0, creditsMoved: Int = 0, notificationsSent: Int = 0, output: String = ""
    ) {
        self.notificationsSent = notificationsSent
        self.runID = runID
        self.status = status
        self.error = error
        self.errorKind = errorKind
        self.plan = plan
        self.writesSent = writesSent
        self.creditsMoved = creditsMoved
        self.output = output
    }
}
