/// The Jobs page.
struct JobsView {
    /// One job's row.
    struct Row {
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
    }

    var frame: PageFrame
    var problem: String?
    var canControl: Bool
    var jobs: [Row]
}

/// One job's history page.
struct JobView {
    /// One slot.
    struct Row {
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
    }

    var frame: PageFrame
    var name: String
    var runsHref: String
    var rows: [Row]
    var limit: Int
}
