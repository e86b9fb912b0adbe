/// The Plans page: the kept plans, newest first, filtered by how they stand.
struct PlansView: TemplateView {
    /// A state to filter by, with how many of the listed plans are in it.
    struct StateLink: TemplateView {
        var label: String
        var href: String
        var current: Bool

        static let fields: [String: @Sendable (StateLink) -> Any?] = [
            "label": { $0.label },
            "href": { $0.href },
            "current": { $0.current },
        ]
    }

    /// One plan.
    struct Row: TemplateView {
        var id: String
        var href: String
        var state: String
        var tone: String
        var author: String
        var job: String
        var created: String
        var expires: String
        var writes: Int
        var credits: Int
        var approvals: String

        static let fields: [String: @Sendable (Row) -> Any?] = [
            "id": { $0.id },
            "href": { $0.href },
            "state": { $0.state },
            "tone": { $0.tone },
            "author": { $0.author },
            "job": { $0.job },
            "created": { $0.created },
            "expires": { $0.expires },
            "writes": { $0.writes },
            "credits": { $0.credits },
            "approvals": { $0.approvals },
        ]
    }

    var frame: PageFrame
    var states: [StateLink]
    var rows: [Row]
    var limit: Int
    var kept: Bool

    static let fields: [String: @Sendable (PlansView) -> Any?] = [
        "frame": { $0.frame },
        "states": { $0.states },
        "rows": { $0.rows },
        "limit": { $0.limit },
        "kept": { $0.kept },
    ]
}

/// One plan: how it stands, its review as `nightshift show` prints it, Approve and Reject.
struct PlanView: TemplateView {
    var frame: PageFrame
    var id: String
    var state: String
    var tone: String
    var author: String
    var job: String?
    var jobHref: String
    var created: String
    var expires: String
    var waitUntil: String?
    var digest: String
    var file: String
    var approvals: String
    var used: String?
    var runHref: String?
    var review: String?
    var writesHref: String?
    var canDecide: Bool
    var isOpen: Bool

    static let fields: [String: @Sendable (PlanView) -> Any?] = [
        "frame": { $0.frame },
        "id": { $0.id },
        "state": { $0.state },
        "tone": { $0.tone },
        "author": { $0.author },
        "job": { $0.job },
        "jobHref": { $0.jobHref },
        "created": { $0.created },
        "expires": { $0.expires },
        "waitUntil": { $0.waitUntil },
        "digest": { $0.digest },
        "file": { $0.file },
        "approvals": { $0.approvals },
        "used": { $0.used },
        "runHref": { $0.runHref },
        "review": { $0.review },
        "writesHref": { $0.writesHref },
        "canDecide": { $0.canDecide },
        "isOpen": { $0.isOpen },
    ]
}
