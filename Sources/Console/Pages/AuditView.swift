/// The Audit page.
struct AuditView: TemplateView {
    /// A reseller the search text could mean.
    struct Choice: TemplateView {
        var target: String
        var href: String

        static let fields: [String: @Sendable (Choice) -> Any?] = [
            "target": { $0.target },
            "href": { $0.href },
        ]
    }

    var frame: PageFrame
    var reseller: String
    var run: String
    var plan: String
    var from: String
    var to: String
    var hasChoices: Bool
    var choices: [Choice]
    var notice: String?
    var csvHref: String
    var rows: [WriteRow]
    var newerHref: String?
    var olderHref: String?

    static let fields: [String: @Sendable (AuditView) -> Any?] = [
        "frame": { $0.frame },
        "reseller": { $0.reseller },
        "run": { $0.run },
        "plan": { $0.plan },
        "from": { $0.from },
        "to": { $0.to },
        "hasChoices": { $0.hasChoices },
        "choices": { $0.choices },
        "notice": { $0.notice },
        "csvHref": { $0.csvHref },
        "rows": { $0.rows },
        "newerHref": { $0.newerHref },
        "olderHref": { $0.olderHref },
    ]
}

/// The console actions page.
struct ActionsView: TemplateView {
    /// One action.
    struct Row: TemplateView {
        var time: String
        var user: String
        var address: String
        var action: String
        var target: String
        var outcome: String
        var tone: String
        var detail: String

        static let fields: [String: @Sendable (Row) -> Any?] = [
            "time": { $0.time },
            "user": { $0.user },
            "address": { $0.address },
            "action": { $0.action },
            "target": { $0.target },
            "outcome": { $0.outcome },
            "tone": { $0.tone },
            "detail": { $0.detail },
        ]
    }

    var frame: PageFrame
    var user: String
    var rows: [Row]
    var newerHref: String?
    var olderHref: String?

    static let fields: [String: @Sendable (ActionsView) -> Any?] = [
        "frame": { $0.frame },
        "user": { $0.user },
        "rows": { $0.rows },
        "newerHref": { $0.newerHref },
        "olderHref": { $0.olderHref },
    ]
}
