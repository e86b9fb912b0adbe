/// What a console user may do. Roles are cumulative: each adds to the one before it.
public enum ConsoleRole: String, Sendable, CaseIterable, Comparable {
    /// Reads every page.
    case viewer
    /// Adds Run now, Pause and Resume.
    case `operator`
    /// Adds approving and rejecting plans.
    case approver
    /// Everything.
    case admin

    /// One thing a role may do.
    public enum Permission: Sendable {
        /// Read every page.
        case read
        /// Run now, pause, resume.
        case control
        /// Approve or reject a plan.
        case approve
    }

    /// Whether this role may do `permission`.
    public func allows(_ permission: Permission) -> Bool {
        switch permission {
        case .read: return true
        case .control: return self >= .operator
        case .approve: return self >= .approver
        }
    }

    public static func < (a: ConsoleRole, b: ConsoleRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
