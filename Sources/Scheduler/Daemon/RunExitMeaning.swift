/// What `nightshift run`'s exit codes mean (docs/exit-codes.md), for the history's reason.
enum RunExitMeaning {
    /// The meaning of an exit code of `nightshift run`, or nil for 0 and unknown codes.
    static func of(_ code: Int32) -> String? {
        switch code {
        case 1: return "the script failed"
        case 2: return "refused by the grant"
        case 3: return "a limit ended the run"
        case 4: return "outcome unknown: a write got no usable answer; check the panel before running again"
        case 5: return "the script could not be read or compiled"
        case 6: return "configuration error"
        case 7: return "the audit log could not be written"
        case 64: return "bad run flags"
        default: return nil
        }
    }
}
