/// The Jobs page.
struct JobsView: TemplateView {
    /// One job's row.
    struct Row: TemplateView {
        var name: String
        var historyHref: String
        var paused: Bool
        var pausedBy: String
        var words: String
        var cron: String
        var zone: String
        var nextText: String?
        var nextEpoch: Int64
        var countdown: String
        var nextNone: String
        var lastStatus: String?
        var lastTone: String
        var lastAt: String
        var lastHost: String?
        var lastSuccess: String?
        var notify: String?

        static let fields: [String: @Sendable (Row) -> Any?] = [
            "name": { $0.name },
            "historyHref": { $0.historyHref },
            "paused": { $0.paused },
            "pausedBy": { $0.pausedBy },
            "words": { $0.words },
            "cron": { $0.cron },
            "zone": { $0.zone },
            "nextText": { $0.nextText },
            "nextEpoch": { $0.nextEpoch },
            "countdown": { $0.countdown },
            "nextNone": { $0.nextNone },
            "lastStatus": { $0.lastStatus },
            "lastTone": { $0.lastTone },
            "lastAt": { $0.lastAt },
            "lastHost": { $0.lastHost },
            "lastSuccess": { $0.lastSuccess },
            "notify": { $0.notify },
        ]
    }

    var frame: PageFrame
    var problem: String?
    var canControl: Bool
    var jobs: [Row]

    static let fields: [String: @Sendable (JobsView) -> Any?] = [
        "frame": { $0.frame },
        "problem": { $0.problem },
        "canControl": { $0.canControl },
        "jobs": { $0.jobs },
    ]
}

/// One job's history page.
struct JobView: TemplateView {
    /// One slot.
    struct Row: TemplateView {
        var slot: String
        var kind: String
        var attempt: Int
        var status: String
        var tone: String
        var exit: String
        var writes: String
        var credits: String
        var host: String
        var reason: String
        var runID: String?
        var runHref: String?

        static let fields: [String: @Sendable (Row) -> Any?] = [
            "slot": { $0.slot },
            "kind": { $0.kind },
            "attempt": { $0.attempt },
            "status": { $0.status },
            "tone": { $0.tone },
            "exit": { $0.exit },
            "writes": { $0.writes },
            "credits": { $0.credits },
            "host": { $0.host },
            "reason": { $0.reason },
            "runID": { $0.runID },
            "runHref": { $0.runHref },
        ]
    }

    var frame: PageFrame
    var name: String
    var runsHref: String
    var rows: [Row]
    var limit: Int

    static let fields: [String: @Sendable (JobView) -> Any?] = [
        "frame": { $0.frame },
        "name": { $0.name },
        "runsHref": { $0.runsHref },
        "rows": { $0.rows },
        "limit": { $0.limit },
    ]
}
