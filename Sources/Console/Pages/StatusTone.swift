/// The word-and-symbol class a status is shown with (`good`, `bad`, `warn`, `idle`): the
/// symbol in front (✔ ✖ ⚠ ●) says it without colour.
enum StatusTone {
    static func of(_ status: String) -> String {
        switch status {
        case "succeeded", "done", "applied", "approved": return "good"
        case "running", "queued", "planned", "waiting", "awaiting approval": return "idle"
        case "skipped", "declined", "cancelled", "interrupted", "dry-run", "rejected", "expired": return "warn"
        default: return "bad"
        }
    }
}
