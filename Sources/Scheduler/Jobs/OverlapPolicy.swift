/// What happens when a job's slot comes while its previous run is still going.
public enum OverlapPolicy: String, Sendable, Hashable, CaseIterable {
    /// The new slot does not run and is recorded as skipped (the default).
    case skip
    /// The new slot waits and starts when the running one ends; at most one waits, later
    /// slots are skipped.
    case queue
    /// The new slot starts at once, beside the running one.
    case allow
}
