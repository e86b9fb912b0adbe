/// Which audit log writes to list (the console's Audit page): every filter optional.
public struct WriteFilter: Sendable, Hashable {
    /// The target as the audit log names it (`deltamedia6 (id 6)`).
    public var target: String?
    /// A run's id.
    public var runID: String?
    /// A plan's id: the writes `nightshift apply` sent for it.
    public var planID: String?
    /// Recorded at or after (ISO 8601).
    public var since: String?
    /// Recorded before (ISO 8601).
    public var until: String?

    /// Creates a filter.
    public init(
        target: String? = nil, runID: String? = nil, planID: String? = nil, since: String? = nil, until: String? = nil
    ) {
        self.target = target
        self.runID = runID
        self.planID = planID
        self.since = since
        self.until = until
    }
}
