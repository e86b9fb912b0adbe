/// How one panel's run ended, as a receipt (and a fleet's summary) lists it: a run on one
/// panel lists itself, a fleet each of its panels.
public struct PanelOutcome: Sendable, Hashable, Codable {
    /// The panel's name (`eu`, `default`, `emulator`).
    public var panel: String
    /// The panel's run, by id; nil when it never started.
    public var runID: String?
    /// How it ended.
    public var status: RunStatus
    /// The exit code it would have ended a run alone with.
    public var exitCode: Int32
    /// Why it did not succeed, readable, never the key.
    public var error: String?
    /// The error's kind when it was an API failure (`transport failure`, ...).
    public var errorKind: String?
    /// Writes it sent.
    public var writesSent: Int
    /// Credits it moved.
    public var creditsMoved: Int

    /// Creates one.
    public init(
        panel: String, runID: String?, status: RunStatus, exitCode: Int32, error: String? = nil, errorKind: String? = nil,
        writesSent: Int = 0, creditsMoved: Int = 0
    ) {
        self.errorKind = errorKind
        self.panel = panel
        self.runID = runID
        self.status = status
        self.exitCode = exitCode
        self.error = error
        self.writesSent = writesSent
        self.creditsMoved = creditsMoved
    }

    private enum CodingKeys: String, CodingKey {
        case panel, runID = "run_id", status, exitCode = "exit_code", error, errorKind = "error_kind"
        case writesSent = "writes_sent"
        case creditsMoved = "credits_moved"
    }

    /// `us: failed (resellers.list: transport failure: ...)`, for a fleet's error and its
    /// job notification.
    public var line: String {
        "\(panel): \(status.rawValue)" + (error.map { " (\($0))" } ?? "")
    }
}
