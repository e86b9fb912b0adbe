/// What every page's layout shows: the title, the navigation, who is logged in with the Log
/// out form, the plain-HTTP warning, a one-time message.
struct PageFrame: Sendable, TemplateView {
    /// One link in the navigation.
    struct Link: Sendable, TemplateView {
        var label: String
        var href: String
        var current: Bool

        static let fields: [String: @Sendable (Link) -> Any?] = [
            "label": { $0.label },
            "href": { $0.href },
            "current": { $0.current },
        ]
    }

    var title: String
    var user: String?
    var role: String?
    var csrf: String
    var nav: [Link]
    var insecure: Bool
    var flash: String?

    /// The pages in the navigation, in order (a new page adds itself here and its routes in
    /// `ConsoleResponder`).
    static let pages: [(label: String, href: String)] = [
        ("Jobs", "/jobs"), ("Runs", "/runs"), ("Plans", "/plans"), ("Panel", "/panel"), ("Audit", "/audit"),
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

    static let fields: [String: @Sendable (PageFrame) -> Any?] = [
        "title": { $0.title },
        "user": { $0.user },
        "role": { $0.role },
        "csrf": { $0.csrf },
        "nav": { $0.nav },
        "insecure": { $0.insecure },
        "flash": { $0.flash },
    ]
}
