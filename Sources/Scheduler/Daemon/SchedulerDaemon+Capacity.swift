import Foundation

extension SchedulerDaemon {
    /// A queued run that its job's overlap policy lets start now.
    private struct Candidate {
        var job: String
        var run: PendingRun
    }

    /// Starts queued runs, oldest slot first, within each job's overlap policy and within
    /// `[scheduler] max_running` across the daemon. A run held back only by `max_running`
    /// for more than `late_after` is recorded `skipped`, as a slot noticed that late is.
    func drainAll(now: Double) async {
        var candidates: [Candidate] = []
        for name in busyJobs.union(busyElsewhere.intersection(jobs.keys)) {
            guard let state = jobs[name] else { continue }
            if state.job.overlap == .allow {
                candidates += state.pending.filter { ($0.notBefore ?? now) <= now }.map { Candidate(job: name, run: $0) }
            } else if state.running.isEmpty && !busyElsewhere.contains(name), let first = state.pending.first,
                (first.notBefore ?? now) <= now
            {
                // One at a time, in the job's own order: a later slot never overtakes a queued one.
                candidates.append(Candidate(job: name, run: first))
            }
        }
        guard !candidates.isEmpty else { return }
        candidates.sort { ($0.run.slot, $0.run.id) < ($1.run.slot, $1.run.id) }
        var free = settings.maxRunning.map { max(0, $0 - runningCount) } ?? Int.max
        for candidate in candidates {
            if free > 0 {
                free -= 1
                removePending(candidate.run.id, of: candidate.job)
                await start(candidate.job, run: candidate.run, now: now)
            } else {
                await wait(candidate, now: now)
            }
        }
        for candidate in candidates { releaseIfIdle(candidate.job) }
    }

    /// A run that could start but for `max_running`: it waits, at most `late_after`.
    private func wait(_ candidate: Candidate, now: Double) async {
        guard let index = jobs[candidate.job]?.pending.firstIndex(where: { $0.id == candidate.run.id }) else { return }
        let since = jobs[candidate.job]!.pending[index].waitingSince ?? now
        jobs[candidate.job]!.pending[index].waitingSince = since
        guard now - since > Double(settings.lateAfter) else { return }
        removePending(candidate.run.id, of: candidate.job)
        let reason =
            "missed: waited \(Int(now - since)) s for a free place (max_running = \(settings.maxRunning ?? 0)), "
            + "more than late_after (\(DurationText.text(settings.lateAfter)))"
        do {
            try await store.finish(id: candidate.run.id, status: .skipped, at: now, reason: reason)
            if let job = jobs[candidate.job]?.job {
                let run = candidate.run
                events.slotSkipped(
                    JobRun(
                        id: run.id, job: candidate.job, slot: run.slot, kind: run.kind, status: .skipped, reason: reason,
                        finishedAt: now, host: store.host, attempt: run.attempt),
                    job: job, missed: 1)
            }
        } catch {
            logger.error("cannot record a missed run: \(error)", metadata: ["job": "\(candidate.job)"])
        }
        logger.warning(
            "run missed: no free place within late_after",
            metadata: ["job": "\(candidate.job)", "slot": "\(candidate.run.slot)", "max_running": "\(settings.maxRunning ?? 0)"])
    }

    private func removePending(_ id: Int64, of name: String) {
        jobs[name]?.pending.removeAll { $0.id == id }
    }

    /// Forgets a job that has nothing running or queued, so idle ticks skip it.
    func releaseIfIdle(_ name: String) {
        if let state = jobs[name], state.running.isEmpty && state.pending.isEmpty { busyJobs.remove(name) }
    }
}
