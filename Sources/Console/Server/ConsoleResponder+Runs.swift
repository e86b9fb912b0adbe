import Hummingbird
import NightshiftCore
import RunRecords

extension ConsoleResponder {
    /// Runs per page.
    static let runsPerPage = 50
    /// Writes per page of a run.
    static let writesPerRunPage = 200
    /// The most output bytes a run page shows (what a run record keeps).
    static let outputShown = 64 * 1024

    /// GET /runs: filters, then a page of runs, newest first.
    func runsPage(_ request: Request, query: FormFields, session: ConsoleSession) async throws -> Response {
        let from = try Self.date(query, "from")
        let to = try Self.date(query, "to")
        let filter = RunFilter(
            job: Self.bounded(query.text("job")), status: Self.bounded(query.text("status")),
            mode: Self.bounded(query.text("mode")), kind: Self.bounded(query.text("kind")),
            host: Self.bounded(query.text("host")), since: from.map { $0.day },
            until: to.map { ConsoleTime.day($0.start + 86_400) })
        let cursor = Self.bounded(query.text("before"))
        let runs = try await sources.records.runs(filter, before: cursor, limit: Self.runsPerPage + 1)
        let shown = runs.prefix(Self.runsPerPage)
        let jobNames = (try? await sources.jobs().jobs.map(\.name)) ?? []
        func options(_ values: [String], _ chosen: String?, labels: [String: String] = [:]) -> [RunsView.Option] {
            var values = values
            if let chosen, !values.contains(chosen) { values.append(chosen) }
            return values.map { RunsView.Option(value: $0, label: labels[$0] ?? $0, selected: $0 == chosen) }
        }
        let fields: [(String, String?)] = [
            ("job", filter.job), ("status", filter.status), ("kind", filter.kind), ("mode", filter.mode),
            ("host", filter.host), ("from", from?.day), ("to", to?.day),
        ]
        let view = RunsView(
            frame: await frame("Runs", path: "/runs", session: session),
            jobOptions: options(jobNames, filter.job),
            statusOptions: options(RunStatus.allCases.map(\.rawValue), filter.status),
            kindOptions: options(
                ["scheduled", "catch-up", "manual", "run", "repl"], filter.kind,
                labels: ["manual": "triggered (Run now, jobs trigger)", "run": "run by hand", "repl": "REPL"]),
            modeOptions: options(["live", "dry-run", "confirm", "apply"], filter.mode),
            host: filter.host ?? "", from: from?.day ?? "", to: to?.day ?? "",
            rows: shown.map { listing in
                let run = listing.record
                return RunsView.Row(
                    started: ConsoleTime.readable(run.startedAt), id: run.id, href: "/runs/" + Self.queryEncoded(run.id),
                    job: listing.origin?.job ?? "", kind: Self.kindWords(listing.kind), script: run.scriptPath, mode: run.mode,
                    status: run.status.rawValue, tone: StatusTone.of(run.status.rawValue), host: run.host ?? "",
                    seconds: ConsoleTime.duration(from: run.startedAt, to: run.endedAt))
            },
            newerHref: cursor == nil ? nil : Self.link("/runs", fields),
            olderHref: runs.count > Self.runsPerPage ? Self.link("/runs", fields + [("before", shown.last?.cursor)]) : nil)
        return html("runs", view)
    }

    /// GET /runs/ID: the receipt, the log, the writes (a page at a time), the modules.
    func runPage(_ request: Request, id: String, query: FormFields, session: ConsoleSession) async throws -> Response {
        guard !id.isEmpty, id.utf8.count <= 200, let listing = try await sources.records.run(id: id) else {
            throw ConsoleFailure.notFound("The run '\(id.prefix(200))'")
        }
        let (run, origin) = (listing.record, listing.origin)
        let after = Int64(query.text("after") ?? "") ?? 0
        async let writeList = sources.records.runWrites(runID: id, afterID: after, limit: Self.writesPerRunPage + 1)
        async let totalList = sources.records.runTotals(runID: id)
        let (writes, totals) = try await (writeList, totalList)
        let shown = writes.prefix(Self.writesPerRunPage)
        let output = run.output.utf8.count > Self.outputShown
            ? String(decoding: run.output.utf8.prefix(Self.outputShown), as: UTF8.self) : run.output
        let counted = totals.byOutcome.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        let view = RunView(
            frame: await frame("Run \(id)", path: "/runs", session: session), id: run.id, status: run.status.rawValue,
            tone: StatusTone.of(run.status.rawValue),
            exitCode: run.endedAt == nil ? "none yet" : String(RunExitCode(run.status).rawValue),
            error: run.error, job: origin?.job, jobHref: Self.link("/jobs/history", [("job", origin?.job)]),
            kind: Self.kindWords(listing.kind), slot: origin?.slot.map { ConsoleTime.readable(Double($0)) + " UTC" },
            attempt: origin?.attempt, script: run.scriptPath, scriptHash: run.scriptHash, arguments: run.arguments,
            grant: run.grant, mode: run.mode, host: run.host ?? "", started: ConsoleTime.readable(run.startedAt) + " UTC",
            ended: run.endedAt.map { ConsoleTime.readable($0) + " UTC" } ?? "not yet",
            writesText: counted.isEmpty ? "none" : counted.joined(separator: ", "), creditsMoved: totals.creditsMoved,
            output: output, outputCapped: output.utf8.count < run.output.utf8.count, outputLimit: "64 KiB",
            writes: shown.map(Self.writeRow),
            moreHref: writes.count > Self.writesPerRunPage
                ? Self.link("/runs/" + Self.queryEncoded(id), [("after", shown.last.map { String($0.id) })]) : nil,
            hasModules: !run.modules.isEmpty,
            modules: run.modules.split(separator: "\n").map { line in
                let parts = line.split(separator: " ", maxSplits: 1)
                return RunView.Module(path: String(parts[0]), sha256: parts.count > 1 ? String(parts[1]) : "")
            })
        return html("run", view)
    }

    /// A write as the Run detail and Audit pages show it.
    static func writeRow(_ write: AuditEntry) -> WriteRow {
        WriteRow(
            time: ConsoleTime.readable(write.time), host: write.host ?? "", runID: write.runID,
            runHref: "/runs/" + queryEncoded(write.runID), mode: write.mode, planID: write.planID,
            planHref: write.planID.map { link("/audit", [("plan", $0)]) }, endpoint: write.endpoint, target: write.target,
            targetHref: link("/audit", [("reseller", write.target)]), parameters: write.parameters,
            beforeAfter: beforeAfter(write), change: signed(write.creditChange), outcome: write.outcome,
            tone: StatusTone.of(write.outcome), answer: write.answer ?? "", location: write.location ?? "")
    }

    /// `500 → 750`, or empty when neither is known.
    static func beforeAfter(_ write: AuditEntry) -> String {
        guard write.creditsBefore != nil || write.creditsAfter != nil else { return "" }
        return "\(write.creditsBefore.map(String.init) ?? "?") → \(write.creditsAfter.map(String.init) ?? "?")"
    }

    /// `+250`, `−100`, or empty for 0.
    static func signed(_ value: Int) -> String {
        value == 0 ? "" : value > 0 ? "+\(value)" : "−\(-value)"
    }

    static func kindWords(_ kind: String) -> String {
        ["manual": "triggered", "run": "run by hand", "repl": "REPL"][kind] ?? kind
    }

    /// A filter's value, at most 200 characters (longer is not a value any record has).
    static func bounded(_ value: String?) -> String? {
        value.map { String($0.prefix(200)) }
    }

    /// A date field (`2026-03-01`), checked.
    static func date(_ query: FormFields, _ name: String) throws -> (day: String, start: Double)? {
        guard let text = query.text(name) else { return nil }
        guard let start = ConsoleTime.start(of: text) else {
            throw ConsoleFailure.badRequest("\(name): '\(text.prefix(40))' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01.")
        }
        return (text, start)
    }
}
