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
    /// The error's kind when it was an API failure (`transport failure`, `panel refused`, ...).
    public var errorKind: String?
    /// Writes sent to the panel.
    public var writesSent: Int
    /// Credits moved (sum of absolute changes).
    public var creditsMoved: Int

    /// Creates a receipt.
    public init(
        runID: String, status: RunStatus, exitCode: Int32, error: String? = nil, errorKind: String? = nil,
        writesSent: Int = 0, creditsMoved: Int = 0
    ) {
        self.runID = runID
        self.status = status
        self.exitCode = exitCode
        self.error = error
        self.errorKind = errorKind
        self.writesSent = writesSent
        self.creditsMoved = creditsMoved
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id", status, exitCode = "exit_code", error, errorKind = "error_kind"
        case writesSent = "writes_sent", creditsMoved = "credits_moved"
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
