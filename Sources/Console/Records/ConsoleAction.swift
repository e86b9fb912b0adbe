
/// The actions the console records.
public enum ConsoleAction {
    /// A user logged in.
    public static let login = "login"
    /// A wrong name or password.
    public static let loginFailed = "login failed"
    /// A login refused by the throttle, the password unchecked.
    public static let loginThrottled = "login throttled"
    /// A user logged out.
    public static let logout = "logout"
    /// Run now.
    public static let trigger = "run now"
    /// Pause.
    public static let pause = "pause"
    /// Resume.
    public static let resume = "resume"
    /// Approve a plan.
    public static let approve = "approve"
    /// Reject a plan.
    public static let reject = "reject"
    /// A POST refused: no session, bad CSRF token, cross-origin, or a role without the right.
    public static let refused = "refused"
}
