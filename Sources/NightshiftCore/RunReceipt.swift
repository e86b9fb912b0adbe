import Foundation

/// What a finished `nightshift run` leaves for whoever started it (`--result-file`): the
/// scheduler reads it after the child exits, or after a restart for a child that outlived
/// its daemon, to record the run's real outcome instead of guessing from an exit code.
public struct RunReceipt: Sendable, Hashable, Codable {
    /// The run's id, as in the run record and the audit log.
    public var runID: String
    /// How the run ended.
    public var status: RunStatus
    /// The process exit code `nightshift run` ended with.
    public var exitCode: Int32
    /// The error that ended it, readable, never the key.
    public var error: String?
    /// What else the history should say of a run that did not fail: for a plan applied
    /// after approval, who approved it.
    public var note: String?
    /// The error's kind when it was an API failure (`transport failure`, `panel refused`, ...).
    public var errorKind: String?
    /// Writes sent to the panel.
    public var writesSent: Int
    /// Credits moved (sum of absolute changes).
    public var creditsMoved: Int
    /// Notifications handed to their targets (`notify.send`): writes to the outside world too.
    public var notificationsSent: Int
    /// Whether running the script again is safe and may help: see ``isRetryable(status:errorKind:writesSent:notificationsSent:)``.
    /// The scheduler retries only runs whose receipt says so.
    public var retryable: Bool
    /// Each panel's run: one for a run on one panel, one per panel for a fleet (whose
    /// `run_id` is then the fleet's id and its counts the sums). The scheduler labels its
    /// metrics and names failed panels in notifications with them.
    public var panels: [PanelOutcome] = []

    /// Creates a receipt; `retryable` follows from the other fields.
    public init(
        runID: String, status: RunStatus, exitCode: Int32, error: String? = nil, errorKind: String? = nil,
        writesSent: Int = 0, creditsMoved: Int = 0, notificationsSent: Int = 0
    ) {
        self.runID = runID
        self.status = status
        self.exitCode = exitCode
        self.error = error
        self.errorKind = errorKind
        self.writesSent = writesSent
        self.creditsMoved = creditsMoved
        self.notificationsSent = notificationsSent
        retryable = Self.isRetryable(
            status: status, errorKind: errorKind, writesSent: writesSent, notificationsSent: notificationsSent)
    }

    /// The error kinds of a panel that could not be used at all: unreachable, down (5xx on a
    /// read), overloaded past its retries, or a read that got no answer in time.
    public static let retryableErrorKinds: Set<String> = ["transport failure", "timed out"]

    /// Whether a run that ended this way may be run again: it sent nothing (no write, no
    /// notification), and it failed because the panel could not be used or ran out of
    /// time. An unknown outcome, a refusal, a script error or a limit other than time is
    /// never worth a retry, and a run that sent anything never is.
    public static func isRetryable(status: RunStatus, errorKind: String?, writesSent: Int, notificationsSent: Int) -> Bool {
        guard writesSent == 0 && notificationsSent == 0 else { return false }
        switch status {
        case .failed: return errorKind.map(retryableErrorKinds.contains) ?? false
        case .timedOut: return true
        default: return false
        }
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id", status, exitCode = "exit_code", error, note, errorKind = "error_kind"
        case writesSent = "writes_sent", creditsMoved = "credits_moved", notificationsSent = "notifications_sent"
        case retryable, panels
    }

    /// Reads a receipt; one written before `notifications_sent`, `retryable` and `panels`
    /// existed reads as no notification, not retryable and no panel.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runID = try container.decode(String.self, forKey: .runID)
        status = try container.decode(RunStatus.self, forKey: .status)
        exitCode = try container.decode(Int32.self, forKey: .exitCode)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        errorKind = try container.decodeIfPresent(String.self, forKey: .errorKind)
        writesSent = try container.decode(Int.self, forKey: .writesSent)
        creditsMoved = try container.decode(Int.self, forKey: .creditsMoved)
        notificationsSent = try container.decodeIfPresent(Int.self, forKey: .notificationsSent) ?? 0
        retryable = try container.decodeIfPresent(Bool.self, forKey: .retryable) ?? false
        panels = try container.decodeIfPresent([PanelOutcome].self, forKey: .panels) ?? []
    }

    /// Writes the receipt to `path` atomically (a reader never sees half of it), owner-only.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
        else { throw WriteError(path: temporary, reason: String(cString: strerror(errno))) }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
    }

    /// The receipt could not be written.
    public struct WriteError: Error, CustomStringConvertible {
        /// The file.
        public var path: String
        /// The system's words.
        public var reason: String
        /// "cannot write PATH: reason".
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// The receipt at `path`, or nil when there is none (the run has not ended, or ended
    /// before it could write one) or it cannot be read.
    public static func read(from path: String) -> RunReceipt? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(RunReceipt.self, from: data)
    }
}
