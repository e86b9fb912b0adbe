/// What became of one notification delivery.
struct NotifyReceipt: Sendable, Equatable {
    /// How the delivery ended.
    enum Outcome: Sendable, Equatable {
        /// The receiver took it (HTTP 2xx, or the command exited 0).
        case delivered
        /// The receiver answered and refused it (another HTTP status, or a non-zero exit).
        case rejected
        /// Nothing reached the receiver (connection refused, the command could not start,
        /// the run stopped before sending), after the bounded retries.
        case notSent
        /// It may or may not have arrived (a timeout after sending): never retried.
        case unknown
    }

    var outcome: Outcome
    /// The receiver's HTTP status, or the command's exit status.
    var status: Int?
    /// A line for the audit log and errors (secrets already redacted).
    var detail: String
    /// How many attempts were made.
    var attempts: Int = 1
}
