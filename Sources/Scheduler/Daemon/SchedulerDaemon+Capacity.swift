import Foundation
import NightshiftCore

/// How a daemon takes its share of the work: it claims only the runs it can start now.
///
/// A due slot is first offered to the store, where it waits held by no host. At each tick
/// a daemon with free places (`max_running` minus its running and claimed runs) claims at
/// most that many waiting runs, oldest first, and starts them in the same tick; the store
/// keeps each job's overlap policy and each pool's size across all daemons
/// (`SchedulerStore.claim(jobs:limit:at:)`). A run no daemon has a place for stays in the
/// store, for the first daemon that frees one; one that waits longer than `late_after` is
/// recorded `skipped` by the first daemon's snapshot that sees it.
///
/// This is the one path from "due" to "started": a later kind of waiting (a slot that waits
/// for a plan's approval) is another state of a waiting row that `claim` does not take
/// until it changes, with nothing to change here.
extension SchedulerDaemon {
    /// Places for another run now; nil: no `max_running`.
    var freePlaces: Int? {
        settings.maxRunning.map { max(0, $0 - runningCount - pendingCount) }
    }

    /// Runs this daemon holds and has not started.
    var pendingCount: Int { busyJobs.reduce(0) { $0 + (jobs[$1]?.pending.count ?? 0) } }

    /// Starts the runs this host already holds, then claims as many waiting runs as there
    /// are free places and starts them.
    func claimAndStart(now: Double) async {
        await startPending(now: now)
        let free = freePlaces ?? Int(Int32.max)
        guard free > 0, mayBeWaiting else { return }
        let known = Set(jobs.filter { !$0.value.removed }.keys)
        let claimed: [JobRun]
        do {
            claimed = try await store.claim(jobs: known, limit: free, at: now)
        } catch {
            logger.error("cannot claim waiting runs; trying again next tick: \(error)")
            return
        }
        for claim in claimed where jobs[claim.job] != nil {
            busyJobs.insert(claim.job)
            // Started now, after the claim: a run's recorded start never comes before the
            // end that freed its place (a pool's place may have been freed by another host).
            let run = PendingRun(id: claim.id, slot: claim.slot, kind: claim.kind, attempt: claim.attempt)
            await start(claim.job, run: run, now: storeNow())
            releaseIfIdle(claim.job)
        }
    }

    /// Starts runs an earlier daemon of this host claimed and never started, oldest slot
    /// first, within `max_running` and each job's overlap policy.
    private func startPending(now: Double) async {
        var ready: [(job: String, run: PendingRun)] = []
        for name in busyJobs {
            guard let state = jobs[name], let first = state.pending.first else { continue }
            if state.job.overlap == .allow {
                ready += state.pending.filter { ($0.notBefore ?? now) <= now }.map { (name, $0) }
            } else if state.running.isEmpty, (first.notBefore ?? now) <= now {
                // One at a time, in the job's own order.
                ready.append((name, first))
            }
        }
        guard !ready.isEmpty else { return }
        ready.sort { ($0.run.slot, $0.run.id) < ($1.run.slot, $1.run.id) }
        // A pending run already holds a place; starting it needs only room among the running.
        for (name, run) in ready where settings.maxRunning.map({ runningCount < $0 }) ?? true {
            jobs[name]?.pending.removeAll { $0.id == run.id }
            await start(name, run: run, now: now)
            releaseIfIdle(name)
        }
    }

    /// Records `skipped` the waiting runs nobody had a place for within `late_after`, and
    /// tells observers about the ones of this daemon's jobs.
    func skipLate(now: Double) async {
        let runs: [JobRun]
        do {
            runs = try await store.skipLate(lateAfter: settings.lateAfter, at: now)
        } catch {
            logger.error("cannot record runs that waited past late_after; trying again next tick: \(error)")
            return
        }
        for run in runs {
            logger.warning(
                "run missed: no daemon had a free place within late_after",
                metadata: ["job": "\(run.job)", "slot": "\(run.slot)", "reason": "\(run.reason ?? "")"])
            if let job = jobs[run.job].flatMap({ $0.removed ? nil : $0.job }) { events.slotSkipped(run, job: job, missed: 1) }
        }
    }

    /// Writes this daemon's row for `jobs status`: its last tick and its limit.
    func recordDaemon(now: Double, stopped: Bool = false) async {
        if startedAt == nil { startedAt = now }
        let heartbeat = DaemonHeartbeat(
            pid: getpid(), startedAt: startedAt ?? now, lastTick: now, tick: settings.tick, maxRunning: settings.maxRunning,
            stoppedAt: stopped ? now : nil)
        do {
            try await store.recordDaemon(heartbeat)
        } catch {
            logger.error("cannot record this daemon's heartbeat: \(error)")
        }
    }

    /// Forgets a job that has nothing running or queued, so idle ticks skip it.
    func releaseIfIdle(_ name: String) {
        if let state = jobs[name], state.running.isEmpty && state.pending.isEmpty { busyJobs.remove(name) }
    }
}
