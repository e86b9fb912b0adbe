/// The login page.
struct LoginView {
    var frame: PageFrame
    /// Why the last attempt failed.
    var problem: String?
    /// Whether anyone may log in at all.
    var hasUsers: Bool
    /// Where to go after login.
    var next: String
    /// The name typed last.
    var name: String
}

/// An error page.
struct ErrorView {
    var frame: PageFrame
    var heading: String
    var message: String
}
