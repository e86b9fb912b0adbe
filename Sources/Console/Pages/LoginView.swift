/// The login page.
struct LoginView: TemplateView {
    var frame: PageFrame
    /// Why the last attempt failed.
    var problem: String?
    /// Whether anyone may log in at all.
    var hasUsers: Bool
    /// Where to go after login.
    var next: String
    /// The name typed last.
    var name: String

    static let fields: [String: @Sendable (LoginView) -> Any?] = [
        "frame": { $0.frame },
        "problem": { $0.problem },
        "hasUsers": { $0.hasUsers },
        "next": { $0.next },
        "name": { $0.name },
    ]
}

/// An error page.
struct ErrorView: TemplateView {
    var frame: PageFrame
    var heading: String
    var message: String

    static let fields: [String: @Sendable (ErrorView) -> Any?] = [
        "frame": { $0.frame },
        "heading": { $0.heading },
        "message": { $0.message },
    ]
}
