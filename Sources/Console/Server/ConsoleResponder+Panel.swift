import Hummingbird

extension ConsoleResponder {
    /// Resellers per page of the Panel page.
    static let resellersPerPage = 100
    /// The days the chart shows when no range is asked for.
    static let chartDays = 14
    /// The most days the chart shows.
    static let chartMaximumDays = 92

    /// GET /panel: the chart of credits moved per day, and the resellers with their credits
    /// as last seen.
    func panelPage(_ request: Request, query: FormFields, session: ConsoleSession) async throws -> Response {
        let today = ConsoleTime.start(of: ConsoleTime.day(clock.now()))!
        let to = try Self.date(query, "to") ?? (ConsoleTime.day(today), today)
        let from = try Self.date(query, "from") ?? {
            let start = to.start - Double(Self.chartDays - 1) * 86_400
            return (ConsoleTime.day(start), start)
        }()
        guard from.start <= to.start else { throw ConsoleFailure.badRequest("from: the range starts after it ends.") }
        let count = Int((to.start - from.start) / 86_400) + 1
        guard count <= Self.chartMaximumDays else {
            throw ConsoleFailure.badRequest("The chart shows at most \(Self.chartMaximumDays) days; choose a shorter range.")
        }
        let days = (0..<count).map { ConsoleTime.day(from.start + Double($0) * 86_400) }
        let after = Self.bounded(query["after"])
        async let daily = sources.records.dailyCredits(since: from.day, until: ConsoleTime.day(to.start + 86_400))
        async let seen = sources.records.creditsSeen(after: after, prefix: nil, limit: Self.resellersPerPage + 1)
        let (rows, resellers) = try await (daily, seen)
        let chart = CreditsChart(rows, days: days)
        let shown = resellers.prefix(Self.resellersPerPage)
        let view = PanelView(
            frame: await frame("Panel", path: "/panel", session: session), from: from.day, to: to.day,
            hasChart: !chart.isEmpty, chart: chart.isEmpty ? "" : scrub(chart.svg), series: chart.series,
            days: chart.days.map { day in
                PanelView.Day(day: day.day, cells: day.credits.map { Self.signed($0) }, total: Self.signed(day.total))
            },
            resellers: shown.map { reseller in
                PanelView.Reseller(
                    target: reseller.target, auditHref: Self.link("/audit", [("reseller", reseller.target)]),
                    credits: reseller.credits, time: ConsoleTime.readable(reseller.time), runID: reseller.runID,
                    runHref: "/runs/" + Self.queryEncoded(reseller.runID))
            },
            nextHref: resellers.count > Self.resellersPerPage
                ? Self.link("/panel", [("from", from.day), ("to", to.day), ("after", shown.last?.target)]) : nil)
        return html("panel", view)
    }
}
