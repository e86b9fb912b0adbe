import ScriptAPI
/// Asks the operator whether one write may be sent (confirm mode). The executable
/// implements it on the terminal; tests answer from a list.
public protocol WriteConfirmer: Sendable {
    /// Shows `change` and returns whether to send it. Called on the script's thread.
    func confirm(_ change: PlannedChange) -> Bool
}
