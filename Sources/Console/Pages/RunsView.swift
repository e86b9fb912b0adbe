/// The Runs page.
struct RunsView: TemplateView {
    /// A choice in a filter's list.
    struct Option: TemplateView {
        var value: String
        var label: String
        var selected: Bool

        static let fields: [String: @Sendable (Option) -> Any?] = [
            "value": { $0.value },
            "label": { $0.label },
            "selected": { $0.selected },
        ]
    }

    /// One run's row.
    struct Row: TemplateView {
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

        static let fields: [String: @Sendable (Row) -> Any?] = [
            "started": { $0.started },
            "id": { $0.id },
            "href": { $0.href },
            "job": { $0.job },
            "kind": { $0.kind },
            "script": { $0.script },
            "mode": { $0.mode },
            "status": { $0.status },
            "tone": { $0.tone },
            "host": { $0.host },
            "seconds": { $0.seconds },
        ]
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

    static let fields: [String: @Sendable (RunsView) -> Any?] = [
        "frame": { $0.frame },
        "jobOptions": { $0.jobOptions },
        "statusOptions": { $0.statusOptions },
        "kindOptions": { $0.kindOptions },
        "modeOptions": { $0.modeOptions },
        "host": { $0.host },
        "from": { $0.from },
        "to": { $0.to },
        "rows": { $0.rows },
        "newerHref": { $0.newerHref },
        "olderHref": { $0.olderHref },
    ]
}

/// One run's page.
struct RunView: TemplateView {
    /// One module.
    struct Module: TemplateView {
        var path: String
        var sha256: String

        static let fields: [String: @Sendable (Module) -> Any?] = [
            "path": { $0.path },
            "sha256": { $0.sha256 },
        ]
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
    var writes: [WriteRow]
    var moreHref: String?
    var hasModules: Bool
    var modules: [Module]

    static let fields: [String: @Sendable (RunView) -> Any?] = [
        "frame": { $0.frame },
        "id": { $0.id },
        "status": { $0.status },
        "tone": { $0.tone },
        "exitCode": { $0.exitCode },
        "error": { $0.error },
        "job": { $0.job },
        "jobHref": { $0.jobHref },
        "kind": { $0.kind },
        "slot": { $0.slot },
        "attempt": { $0.attempt },
        "script": { $0.script },
        "scriptHash": { $0.scriptHash },
        "arguments": { $0.arguments },
        "grant": { $0.grant },
        "mode": { $0.mode },
        "host": { $0.host },
        "started": { $0.started },
        "ended": { $0.ended },
        "writesText": { $0.writesText },
        "creditsMoved": { $0.creditsMoved },
        "output": { $0.output },
        "outputCapped": { $0.outputCapped },
        "outputLimit": { $0.outputLimit },
        "writes": { $0.writes },
        "moreHref": { $0.moreHref },
        "hasModules": { $0.hasModules },
        "modules": { $0.modules },
    ]
}
