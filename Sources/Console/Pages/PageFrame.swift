/// What every page's layout shows: the title, the navigation, who is logged in with the Log
/// out form, the plain-HTTP warning, a one-time message.
struct PageFrame: Sendable {
    /// One link in the navigation.
    struct Link: Sendable {
        var label: String
        var href: String
        var current: Bool
    }

    var title: String
    var user: String?
    var role: String?
    var csrf: String
    var nav: [Link]
    var insecure: Bool
    var flash: String?

    /// The pages in the navigation, in order. A page is listed once it exists: the Plans
    /// page (issue 21) adds `("Plans", "/plans")` here and its routes in `ConsoleResponder`.
    static let pages: [(label: String, href: String)] = [
        ("Jobs", "/jobs"), ("Runs", "/runs"), ("Panel", "/panel"), ("Audit", "/audit"),
    ]

    /// The frame for `session` on the page at `path`.
    init(title: String, path: String, session: ConsoleSession?, insecure: Bool, flash: String? = nil) {
        self.title = title
        user = session?.user
        role = session?.role?.rawValue
        csrf = session?.csrf ?? ""
        nav = Self.pages.map { Link(label: $0.label, href: $0.href, current: path == $0.href || path.hasPrefix($0.href + "/")) }
        self.insecure = insecure
        self.flash = flash
    }
}
