import NotifyDelivery

/// One delivery of a job notification, as `nightshift history --notifications` shows it.
/// Never holds a URL: `target` is redacted before it is stored.
public struct NotificationRecord: Sendable, Equatable, Codable {
    /// How the notification travelled.
    public enum TargetKind: String, Sendable, Codable {
        /// A JSON POST to the job's `webhook`.
        case webhook
        /// A healthchecks.io-style ping to the job's `ping` URL.
        case ping
        /// The job's `command`, with the JSON on its standard input.
        case command
    }

    /// Row id (0 before it is stored).
    public var id: Int64
    /// The history row of the run or skipped slot it is about.
    public var runID: Int64
    /// The job.
    public var job: String
    /// What it said: an event (`failure`, `outcome-unknown`, `missed`, `recovered`,
    /// `success`), or for pings `start`, `success` and `fail`.
    public var event: String
    /// How it travelled.
    public var targetKind: TargetKind
    /// Where, redacted: `https://hooks.slack.com/…`, or the command's program.
    public var target: String
    /// Delivered, rejected, not sent, or unknown (it may have arrived).
    public var outcome: NotifyReceipt.Outcome
    /// Attempts made (0: never tried, e.g. cut off by shutdown).
    public var attempts: Int
    /// The receiver's answer or why it failed (`HTTP 503: busy`, `… exited with status 1`).
    public var detail: String
    /// When the delivery ended (seconds since the epoch).
    public var at: Double

    /// Creates a record.
    public init(
        id: Int64 = 0, runID: Int64, job: String, event: String, targetKind: TargetKind, target: String,
        outcome: NotifyReceipt.Outcome, attempts: Int, detail: String, at: Double
    ) {
        self.id = id
        self.runID = runID
        self.job = job
        self.event = event
        self.targetKind = targetKind
        self.target = target
        self.outcome = outcome
        self.attempts = attempts
        self.detail = detail
        self.at = at
    }
}
