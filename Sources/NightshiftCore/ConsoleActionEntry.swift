/// Something a person did in the web console, as the audit log keeps it: a login, a failed
/// login, Run now, Pause, a refused request…
public struct ConsoleActionEntry: Sendable, Hashable {
    /// Row number, increasing (0 before it is recorded).
    public var id: Int64
    /// When (ISO 8601, UTC).
    public var time: String
    /// The console user's name (for a failed login, the name that was typed; `-` for none).
    public var user: String
    /// The address the request came from.
    public var address: String
    /// `login`, `login failed`, `login throttled`, `logout`, `run now`, `pause`, `resume`, `refused`.
    public var action: String
    /// What it was done to (a job's name, a refused request's path), or empty.
    public var target: String
    /// `done`, `refused` or `failed`.
    public var outcome: String
    /// Why, in words, when refused or failed.
    public var detail: String?

    /// Creates an entry.
    public init(
        id: Int64 = 0, time: String, user: String, address: String, action: String, target: String = "",
        outcome: String, detail: String? = nil
    ) {
        self.id = id
        self.time = time
        self.user = user
        self.address = address
        self.action = action
        self.target = target
        self.outcome = outcome
        self.detail = detail
    }

    /// Where a page of actions that ends with this one continues (newest first).
    public var cursor: String { "\(time)~\(id)" }
}
