/// The Runs page.
struct RunsView {
    /// A choice in a filter's list.
    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    /// One run's row.
    struct Row {
        var started: String
        var id: String
        var href: String
        var job: String
        var kind: String
        var script: String
        var mode: String
        var status: String
        var tone: String
        var host: String
        var seconds: String
    }

    var frame: PageFrame
    var jobOptions: [Option]
    var statusOptions: [Option]
    var kindOptions: [Option]
    var modeOptions: [Option]
    var host: String
    var from: String
    var to: String
    var rows: [Row]
    var newerHref: String?
    var olderHref: String?
}

/// One run's page.
struct RunView {
    /// One write's row.
    struct Write {
        var time: String
        var endpoint: String
        var target: String
        var targetHref: String
        var parameters: String
        var beforeAfter: String
        var change: String
        var outcome: String
        var tone: String
        var answer: String
        var location: String
    }

    /// One module.
    struct Module {
        var path: String
        var sha256: String
    }

    var frame: PageFrame
    var id: String
    var status: String
    var tone: String
    var exitCode: String
    var error: String?
    var job: String?
    var jobHref: String
    var kind: String
    var slot: String?
    var attempt: Int?
    var script: String
    var scriptHash: String
    var arguments: String
    var grant: String
    var mode: String
    var host: String
    var started: String
    var ended: String
    var writesText: String
    var creditsMoved: Int
    var output: String
    var outputCapped: Bool
    var outputLimit: String
    var writes: [Write]
    var moreHref: String?
    var hasModules: Bool
    var modules: [Module]
}
