/// What the REPL asks of the layer that owns the panel session (ScriptRuntime): the
/// dot-commands that are about the panel rather than about Lua.
public protocol REPLCommandHost: AnyObject {
    /// `.plan`: switches dry-run on or off and returns what to show (the pending plan).
    func togglePlan() -> String
    /// `.audit`: the writes this session made, as text.
    func sessionAudit() -> String
    /// Stops what the running statement waits on (a panel call) after Ctrl-C.
    func cancelPendingCall()
    /// Called before each statement or `.load` runs.
    func willRunStatement()
    /// Called after each statement or `.load` ends, however it ended: what it left running
    /// (tasks, writes in flight) is settled.
    func didRunStatement()
}
