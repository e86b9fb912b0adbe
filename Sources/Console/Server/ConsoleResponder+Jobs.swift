import Hummingbird
import Scheduler

extension ConsoleResponder {
    /// GET /jobs.
    func jobsPage(_ request: Request, session: ConsoleSession) async throws -> Response {
        var view = JobsView(
            frame: await frame("Jobs", path: "/jobs", session: session), problem: nil,
            canControl: session.role?.allows(.control) == true, jobs: [])
        let configuration: JobConfiguration
        do {
            configuration = try await sources.jobs()
        } catch {
            view.problem = "The jobs file cannot be read: \(error)"
            return html("jobs", view)
        }
        let store = sources.store
        async let lastRuns = store.lastRuns()
        async let paused = store.pausedOverrides()
        async let successes = store.lastSuccesses()
        let (last, overrides, succeeded) = try await (lastRuns, paused, successes)
        let now = clock.now()
        view.jobs = configuration.jobs.map { job in
            let override = overrides[job.name]
            let isPaused = override ?? job.paused
            let next = isPaused ? nil : job.schedule.nextFireTime(after: Int64(now.rounded(.down)), in: job.zone)
            let run = last[job.name]
            let lastStatus = run?.statusText
            return JobsView.Row(
                name: job.name, historyHref: Self.link("/jobs/history", [("job", job.name)]), paused: isPaused,
                pausedBy: override == nil ? "in the jobs file" : "by jobs pause or the console",
                words: ScheduleWords.describe(job.schedule), cron: job.schedule.description, zone: job.zone.identifier,
                nextText: next.map { ISO8601.format($0, in: job.zone) }, nextEpoch: next ?? 0,
                countdown: next.map { Self.countdown(Double($0) - now) } ?? "",
                nextNone: isPaused ? "paused" : "never", lastStatus: lastStatus,
                lastTone: StatusTone.of(lastStatus ?? ""),
                lastAt: run.map { ISO8601.format($0.slot, in: job.zone) } ?? "", lastHost: run?.host,
                lastSuccess: succeeded[job.name].map { ISO8601.format(Int64($0.rounded(.down)), in: job.zone) },
                notify: Self.notifyWords(job.notify))
        }
        return html("jobs", view)
    }

    /// GET /jobs/history?job=NAME: the job's slots from the scheduler's store.
    func jobPage(_ request: Request, query: FormFields, session: ConsoleSession) async throws -> Response {
        guard let name = query.text("job") else { throw ConsoleFailure.badRequest("Name the job: /jobs/history?job=NAME.") }
        let configuration = try await sources.jobs()
        guard let job = configuration.jobs.first(where: { $0.name == name }) else {
            throw ConsoleFailure.notFound("The job '\(name)'")
        }
        let limit = 100
        let history = try await sources.store.history(job: name, limit: limit)
        let rows = history.map { run in
            let status = run.statusText
            return JobView.Row(
                slot: ISO8601.format(run.slot, in: job.zone), kind: run.kind == .manual ? "triggered" : run.kind.rawValue,
                attempt: run.attempt, status: status, tone: StatusTone.of(status),
                exit: run.exitCode.map(String.init) ?? run.signal.map { "signal \($0)" } ?? "",
                writes: run.writesSent.map(String.init) ?? "", credits: run.creditsMoved.map(String.init) ?? "",
                host: run.host ?? "", reason: run.reasonText, runID: run.runID,
                runHref: run.runID.map { "/runs/" + Self.queryEncoded($0) })
        }
        return html(
            "job",
            JobView(
                frame: await frame("Job \(name)", path: "/jobs/history", session: session), name: name,
                runsHref: Self.link("/runs", [("job", name)]), rows: rows, limit: limit))
    }

    /// POST /jobs/trigger, /jobs/pause, /jobs/resume (form field `job`): the same code path
    /// as `nightshift jobs trigger|pause|resume`, for operators and above.
    func control(_ action: JobControl.Action, context: ConsoleContext, session: ConsoleSession) async throws -> Response {
        let user = session.user ?? "-"
        let name = context.form.text("job") ?? ""
        let actionName = [JobControl.Action.trigger: ConsoleAction.trigger, .pause: ConsoleAction.pause, .resume: ConsoleAction.resume][action]!
        try await require(
            .control, session: session, context: context, action: actionName, target: name,
            words: "run, pause or resume jobs; an operator, approver or admin can")
        guard !name.isEmpty else { throw ConsoleFailure.badRequest("Name the job in the form's 'job' field.") }
        let message: String
        do {
            let configuration = try await sources.jobs()
            message = try await JobControl.perform(
                action, job: name, in: configuration, store: sources.store, now: Int64(clock.now().rounded(.down)))
        } catch let unknown as JobControl.UnknownJob {
            await record(user: user, address: context.address, action: actionName, target: name, outcome: "failed", detail: "no such job")
            throw ConsoleFailure.notFound("The job '\(unknown.name)'")
        } catch {
            await record(user: user, address: context.address, action: actionName, target: name, outcome: "failed", detail: "\(error)")
            throw error
        }
        await record(user: user, address: context.address, action: actionName, target: name, outcome: "done")
        await sessions.setFlash(
            session.id, action == .trigger ? "Triggered \(name): the daemon starts it at its next tick." : message.prefix(1).uppercased() + message.dropFirst() + ".")
        return redirect(to: "/jobs")
    }

    /// `in 3h 12m 5s`, `due now`: what the page's script shows, as it was when the page was made.
    static func countdown(_ seconds: Double) -> String {
        guard seconds > 0 else { return "due now" }
        let total = Int(seconds)
        let (days, hours, minutes, rest) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60, total % 60)
        if days > 0 { return "in \(days)d \(hours)h \(minutes)m" }
        if hours > 0 { return "in \(hours)h \(minutes)m \(rest)s" }
        if minutes > 0 { return "in \(minutes)m \(rest)s" }
        return "in \(rest)s"
    }

    /// The job's notify targets by kind only (their URLs are secrets), with the events.
    static func notifyWords(_ notify: JobNotify) -> String? {
        var parts: [String] = []
        let targets = [notify.webhook != nil ? "webhook" : nil, notify.command != nil ? "command" : nil].compactMap { $0 }
        if !targets.isEmpty {
            let events = JobNotify.Event.allCases.filter { notify.on.contains($0) }.map(\.rawValue)
            parts.append(targets.joined(separator: " and ") + " on " + events.joined(separator: ", "))
        }
        if notify.ping != nil { parts.append("ping on every run") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}
