import Hummingbird
import NightshiftCore
import RunRecords

extension ConsoleResponder {
    /// Writes per page of the Audit page.
    static let writesPerPage = 100
    /// Writes per query while a CSV export streams.
    static let exportBatch = 1000
    /// The most rows one CSV export holds.
    static let exportLimit = 1_000_000

    /// GET /audit: search the writes by reseller, run, plan and date.
    func auditPage(_ request: Request, query: FormFields, session: ConsoleSession) async throws -> Response {
        let search = try await auditSearch(query)
        let cursor = Self.bounded(query.text("before"))
        var rows: [AuditWriteListing] = []
        if search.resolved {
            rows = try await sources.records.writes(search.filter, before: cursor, limit: Self.writesPerPage + 1)
        }
        let shown = rows.prefix(Self.writesPerPage)
        let view = AuditView(
            frame: await frame("Audit", path: "/audit", session: session), reseller: search.reseller ?? "",
            run: search.filter.runID ?? "", plan: search.filter.planID ?? "", from: search.from ?? "", to: search.to ?? "",
            hasChoices: !search.choices.isEmpty,
            choices: search.choices.map { target in
                AuditView.Choice(target: target, href: Self.link("/audit", search.fields(reseller: target)))
            },
            notice: search.notice, csvHref: Self.link("/audit.csv", search.fields(reseller: search.filter.target ?? search.reseller)),
            rows: shown.map { Self.writeRow($0.entry) },
            newerHref: cursor == nil ? nil : Self.link("/audit", search.fields(reseller: search.reseller)),
            olderHref: rows.count > Self.writesPerPage
                ? Self.link("/audit", search.fields(reseller: search.reseller) + [("before", shown.last?.cursor)]) : nil)
        return html("audit", view)
    }

    /// GET /audit.csv: every write the search matches, newest first, streamed a batch at a
    /// time; formula-safe (`CSVText`).
    func auditCSV(query: FormFields) async throws -> Response {
        let search = try await auditSearch(query)
        guard search.resolved else {
            throw ConsoleFailure.badRequest(search.notice ?? "Choose one reseller before exporting.")
        }
        let records = sources.records
        let filter = search.filter
        let scrub = self.scrub
        let body = ResponseBody { writer in
            try await writer.write(
                ByteBuffer(
                    string: CSVText.row(
                        [
                            "id", "time", "host", "run_id", "plan_id", "script", "mode", "outcome", "endpoint", "target",
                            "credits_before", "credits_after", "credit_change", "location", "parameters", "answer",
                        ].map { CSVText.text($0) })))
            var cursor: String?
            var written = 0
            while written < Self.exportLimit {
                let batch = try await records.writes(filter, before: cursor, limit: Self.exportBatch)
                guard !batch.isEmpty else { break }
                var text = ""
                for write in batch.map(\.entry) {
                    text += CSVText.row([
                        CSVText.number(Int(write.id)), CSVText.text(write.time), CSVText.text(write.host),
                        CSVText.text(write.runID), CSVText.text(write.planID), CSVText.text(write.scriptPath), CSVText.text(write.mode),
                        CSVText.text(write.outcome), CSVText.text(write.endpoint), CSVText.text(write.target),
                        CSVText.number(write.creditsBefore), CSVText.number(write.creditsAfter),
                        CSVText.number(write.creditChange), CSVText.text(write.location), CSVText.text(write.parameters),
                        CSVText.text(write.answer),
                    ])
                }
                try await writer.write(ByteBuffer(string: scrub(text)))
                written += batch.count
                cursor = batch.last?.cursor
                if batch.count < Self.exportBatch { break }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"nightshift-audit.csv\"",
            ], body: body)
    }

    /// GET /audit/console: what console users did.
    func actionsPage(_ request: Request, query: FormFields, session: ConsoleSession) async throws -> Response {
        let user = Self.bounded(query.text("user"))
        let cursor = Self.bounded(query.text("before"))
        let rows = try await sources.records.actions(user: user, before: cursor, limit: Self.writesPerPage + 1)
        let shown = rows.prefix(Self.writesPerPage)
        let view = ActionsView(
            frame: await frame("Console actions", path: "/audit/console", session: session), user: user ?? "",
            rows: shown.map { action in
                ActionsView.Row(
                    time: ConsoleTime.readable(action.time), user: action.user, address: action.address,
                    action: action.action, target: action.target, outcome: action.outcome,
                    tone: StatusTone.of(action.outcome), detail: action.detail ?? "")
            },
            newerHref: cursor == nil ? nil : Self.link("/audit/console", [("user", user)]),
            olderHref: rows.count > Self.writesPerPage
                ? Self.link("/audit/console", [("user", user), ("before", shown.last?.cursor)]) : nil)
        return html("actions", view)
    }

    /// The Audit page's search, with the reseller text resolved to one target when it can be.
    struct AuditSearch {
        var filter: WriteFilter
        var reseller: String?
        var from: String?
        var to: String?
        /// Targets the reseller text could mean, when it means several.
        var choices: [String] = []
        var notice: String?
        /// Whether the filter is one to read (the reseller text, if any, named one target).
        var resolved: Bool

        func fields(reseller: String?) -> [(String, String?)] {
            [("reseller", reseller), ("run", filter.runID), ("plan", filter.planID), ("from", from), ("to", to)]
        }
    }

    /// Reads the search fields. A reseller is found by its name as the audit log writes it
    /// (`deltamedia6 (id 6)`) or by the start of it (`deltamedia6`) when only one matches.
    func auditSearch(_ query: FormFields) async throws -> AuditSearch {
        let from = try Self.date(query, "from")
        let to = try Self.date(query, "to")
        var search = AuditSearch(
            filter: WriteFilter(
                runID: Self.bounded(query.text("run")), planID: Self.bounded(query.text("plan")), since: from?.day,
                until: to.map { ConsoleTime.day($0.start + 86_400) }),
            reseller: Self.bounded(query.text("reseller")), from: from?.day, to: to?.day, resolved: true)
        guard let text = search.reseller else { return search }
        let matches = try await sources.records.targets(prefix: text, limit: 21)
        if matches.contains(text) {
            search.filter.target = text
        } else if matches.count == 1 {
            search.filter.target = matches[0]
            search.notice = "Showing the writes to \(matches[0])."
        } else {
            search.resolved = false
            if matches.isEmpty {
                search.notice = "No write names a reseller starting with '\(text)'."
            } else {
                search.choices = Array(matches.prefix(20))
                search.notice = matches.count > 20 ? "More than 20 resellers start with '\(text)'; type more of the name." : nil
            }
        }
        return search
    }
}
