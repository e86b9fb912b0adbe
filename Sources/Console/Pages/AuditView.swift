/// The Audit page.
struct AuditView {
    /// One write.
    struct Row {
        var time: String
        var host: String
        var runID: String
        var runHref: String
        var mode: String
        var endpoint: String
        var target: String
        var parameters: String
        var beforeAfter: String
        var change: String
        var outcome: String
        var tone: String
        var answer: String
    }

    /// A reseller the search text could mean.
    struct Choice {
        var target: String
        var href: String
    }

    var frame: PageFrame
    var reseller: String
    var run: String
    var from: String
    var to: String
    var hasChoices: Bool
    var choices: [Choice]
    var notice: String?
    var csvHref: String
    var rows: [Row]
    var newerHref: String?
    var olderHref: String?
}

/// The console actions page.
struct ActionsView {
    /// One action.
    struct Row {
        var time: String
        var user: String
        var address: String
        var action: String
        var target: String
        var outcome: String
        var tone: String
        var detail: String
    }

    var frame: PageFrame
    var user: String
    var rows: [Row]
    var newerHref: String?
    var olderHref: String?
}
