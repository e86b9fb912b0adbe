/// How a run treats writes.
public enum RunMode: String, Sendable, Hashable, CaseIterable {
    /// Writes are sent to the panel.
    case live
    /// Reads go to the panel; writes are checked and planned, never sent. Later reads see the
    /// planned writes, so the plan is what a live run would do.
    case dryRun = "dry-run"
    /// Each write is shown and sent only after the operator says yes.
    case confirm
}
