/// The Panel page.
struct PanelView: TemplateView {
    /// One day of the chart's table.
    struct Day: TemplateView {
        var day: String
        var cells: [String]
        var total: String

        static let fields: [String: @Sendable (Day) -> Any?] = [
            "day": { $0.day },
            "cells": { $0.cells },
            "total": { $0.total },
        ]
    }

    /// One reseller.
    struct Reseller: TemplateView {
        var target: String
        var auditHref: String
        var credits: Int
        var time: String
        var runID: String
        var runHref: String

        static let fields: [String: @Sendable (Reseller) -> Any?] = [
            "target": { $0.target },
            "auditHref": { $0.auditHref },
            "credits": { $0.credits },
            "time": { $0.time },
            "runID": { $0.runID },
            "runHref": { $0.runHref },
        ]
    }

    var frame: PageFrame
    var from: String
    var to: String
    var hasChart: Bool
    /// The chart's markup, made and escaped by `CreditsChart`.
    var chart: String
    var series: [String]
    var days: [Day]
    var resellers: [Reseller]
    var nextHref: String?

    static let fields: [String: @Sendable (PanelView) -> Any?] = [
        "frame": { $0.frame },
        "from": { $0.from },
        "to": { $0.to },
        "hasChart": { $0.hasChart },
        "chart": { $0.chart },
        "series": { $0.series },
        "days": { $0.days },
        "resellers": { $0.resellers },
        "nextHref": { $0.nextHref },
    ]
}
