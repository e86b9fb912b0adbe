/// The Panel page.
struct PanelView {
    /// One day of the chart's table.
    struct Day {
        var day: String
        var cells: [String]
        var total: String
    }

    /// One reseller.
    struct Reseller {
        var target: String
        var auditHref: String
        var credits: Int
        var time: String
        var runID: String
        var runHref: String
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
}
