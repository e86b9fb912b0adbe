/// What became of one notification delivery (a webhook POST, a ping, a command).
public struct NotifyReceipt: Sendable, Equatable {
    /// How the delivery ended.
    public enum Outcome: String, Sendable, Equatable, Codable {
        /// The receiver took it (HTTP 2xx, or the command exited 0).
        case delivered
        /// The receiver answered and refused it (another HTTP status, or a non-zero exit).
        case rejected
        /// Nothing reached the receiver (connection refused, the command could not start,
        /// the run stopped before sending), after the bounded retries.
        case notSent = "not-sent"
        /// It may or may not have arrived (a timeout after sending): never retried.
        case unknown
    }

    /// How it ended.
    public var outcome: Outcome
    /// The receiver's HTTP status, or the command's exit status.
    public var status: Int?
    /// A line for the audit log and errors (secrets already redacted).
    public var detail: String
    /// How many attempts were made.
    public var attempts: Int

    /// Creates a receipt.
    public init(outcome: Outcome, status: Int? = nil, detail: String, attempts: Int = 1) {
        self.outcome = outcome
        self.status = status
        self.detail = detail
        self.attempts = attempts
    }
}
