/// The word-and-symbol class a status is shown with (`good`, `bad`, `warn`, `idle`): the
/// symbol in front (✔ ✖ ⚠ ●) says it without colour.
enum StatusTone {
    static func of(_ status: String) -> String {
        switch status {
        case "succeeded", "done": return "good"
        case "running", "queued", "planned": return "idle"
        case "skipped", "declined", "cancelled", "interrupted", "dry-run": return "warn"
        default: return "bad"
        }
    }
}
