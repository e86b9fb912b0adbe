/// Which runs to list (the console's Runs page): every filter optional, each one more condition.
public struct RunFilter: Sendable, Hashable {
    /// A job's name.
    public var job: String?
    /// A run status (`succeeded`, `failed`, …).
    public var status: String?
    /// `live`, `dry-run`, `confirm` or `apply`.
    public var mode: String?
    /// `scheduled`, `catch-up`, `manual` (triggered), `run` or `repl`.
    public var kind: String?
    /// A host's name.
    public var host: String?
    /// Started at or after (ISO 8601).
    public var since: String?
    /// Started before (ISO 8601).
    public var until: String?

    /// Creates a filter.
    public init(
        job: String? = nil, status: String? = nil, mode: String? = nil, kind: String? = nil, host: String? = nil,
        since: String? = nil, until: String? = nil
    ) {
        self.job = job
        self.status = status
        self.mode = mode
        self.kind = kind
        self.host = host
        self.since = since
        self.until = until
    }
}
