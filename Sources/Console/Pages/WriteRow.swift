/// One audit row as the Run detail and Audit pages show it.
struct WriteRow: TemplateView {
    var time: String
    var host: String
    var runID: String
    var runHref: String
    var mode: String
    var planID: String?
    var planHref: String?
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

    static let fields: [String: @Sendable (WriteRow) -> Any?] = [
        "time": { $0.time },
        "host": { $0.host },
        "runID": { $0.runID },
        "runHref": { $0.runHref },
        "mode": { $0.mode },
        "planID": { $0.planID },
        "planHref": { $0.planHref },
        "endpoint": { $0.endpoint },
        "target": { $0.target },
        "targetHref": { $0.targetHref },
        "parameters": { $0.parameters },
        "beforeAfter": { $0.beforeAfter },
        "change": { $0.change },
        "outcome": { $0.outcome },
        "tone": { $0.tone },
        "answer": { $0.answer },
        "location": { $0.location },
    ]
}
