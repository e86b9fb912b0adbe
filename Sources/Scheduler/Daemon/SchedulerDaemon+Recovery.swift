import Foundation
import NightshiftCore

extension SchedulerDaemon {
    /// Reconciles the runs an earlier daemon of this host left queued or running, on the
    /// first tick:
    ///
    /// - A child still alive (same pid and start time) is adopted: watched until it ends,
    ///   its lease renewed, its deadline kept, and then recorded from its receipt.
    ///   Children outlive a dead daemon on purpose: a money-moving script cut off mid-write
    ///   leaves an unknown outcome; one that finishes leaves a known one.
    /// - A child that ended meanwhile is recorded from its receipt, or `crashed` when it
    ///   left none.
    /// - A queued run that never started (no log file: the daemon creates it before the
    ///   launch) runs now if its time is within `late_after`, since nothing was sent;
    ///   otherwise it is recorded `interrupted` with the reason.
    func recoverUnfinished(now: Double) async {
        let unfinished: [UnfinishedRun]
        do {
            unfinished = try await store.unfinishedRuns()
        } catch {
            logger.error("cannot read the runs an earlier daemon left; trying again next tick: \(error)")
            return
        }
        recovered = true
        for run in unfinished {
            if run.record.status == .running {
                await recoverStarted(run, now: now)
            } else {
                await recoverQueued(run.record, now: now)
            }
        }
    }

    private func recoverStarted(_ run: UnfinishedRun, now: Double) async {
        let record = run.record
        let state = jobs[record.job].flatMap { $0.removed ? nil : $0 }
        let log = record.log ?? logPath(job: record.job, slot: record.slot, id: record.id)
        let script = state?.job.command == nil
        let receipt = script ? Self.receiptPath(log: log) : nil
        if let pid = record.pid, let identity = run.pidStart, ProcessIdentity.isRunning(pid: pid, identity: identity) {
            guard let state else {
                await finishRecovered(
                    record, RunEnd(
                        status: .interrupted,
                        reason: "the daemon restarted without this job in its jobs file; its child (pid \(pid)) was left to finish: see its log"),
                    now: now)
                return
            }
            let started = record.startedAt ?? now
            jobs[record.job]!.running.append(
                ActiveRun(
                    id: record.id, slot: record.slot, child: AdoptedChild(pid: pid, identity: identity),
                    deadline: started + Double(state.job.runLimit + settings.killAfter), receipt: receipt, kind: record.kind,
                    attempt: record.attempt))
            busyJobs.insert(record.job)
            logger.info(
                "adopted a run that outlived the previous daemon",
                metadata: ["job": "\(record.job)", "slot": "\(record.slot)", "pid": "\(pid)"])
            return
        }
        await recordVanished(record, receipt: receipt, script: script, now: now)
    }

    /// A run whose child ended while no daemon watched it: its receipt says how.
    private func recordVanished(_ record: JobRun, receipt path: String?, script: Bool, now: Double) async {
        let receipt = path.flatMap(RunReceipt.read(from:))
        var end = RunEnd(exit: .vanished, receipt: receipt, script: script)
        var retrying = false
        if let receipt {
            end.reason = [receipt.error, "recorded after a daemon restart, from the run's receipt"].compactMap { $0 }
                .joined(separator: "; ")
            retrying = await retryIfWorthIt(
                job: record.job, slot: record.slot, kind: record.kind, attempt: record.attempt, receipt: receipt, end: &end,
                now: now)
        }
        await finishRecovered(record, end, receipt: path, panels: receipt?.panels, retrying: retrying, now: now)
    }

    private func recoverQueued(_ record: JobRun, now: Double) async {
        let log = logPath(job: record.job, slot: record.slot, id: record.id)
        let state = jobs[record.job].flatMap { $0.removed ? nil : $0 }
        if FileManager.default.fileExists(atPath: log) {
            // The daemon stopped between creating the log and recording the start: the
            // child may have run. Only its receipt can say; never start it again.
            let script = state?.job.command == nil
            let path = script ? Self.receiptPath(log: log) : nil
            if path.map(FileManager.default.fileExists(atPath:)) == true {
                await recordVanished(record, receipt: path, script: script, now: now)
            } else {
                await finishRecovered(
                    record, RunEnd(
                        status: .interrupted,
                        reason: "the daemon stopped while starting the run; it may have run (see its log \(log)), so it is not run again"),
                    now: now)
            }
            return
        }
        guard let state else {
            await finishRecovered(
                record, RunEnd(status: .interrupted, reason: "the daemon stopped before the run started; the job is no longer in the jobs file"),
                now: now)
            return
        }
        let due = record.retryAt ?? Double(record.slot + state.job.jitterDelay(forSlot: record.slot))
        guard now - due <= Double(settings.lateAfter) else {
            await finishRecovered(
                record, RunEnd(
                    status: .interrupted,
                    reason: "the daemon stopped before the run started; not run after the restart: its time was "
                        + "more than late_after (\(DurationText.text(settings.lateAfter))) ago. Nothing was sent"),
                now: now)
            return
        }
        // Nothing was sent: the claimed run can still run, once, on this host.
        jobs[record.job]!.pending.append(
            PendingRun(id: record.id, slot: record.slot, kind: record.kind, attempt: record.attempt, notBefore: record.retryAt))
        busyJobs.insert(record.job)
        logger.info(
            "a run claimed before the daemon stopped and never started runs now",
            metadata: ["job": "\(record.job)", "slot": "\(record.slot)", "attempt": "\(record.attempt)"])
    }

    /// - Parameter panels: each panel's outcome, from the receipt (metrics count them per panel).
    private func finishRecovered(
        _ record: JobRun, _ end: RunEnd, receipt: String? = nil, panels: [PanelOutcome]? = nil, retrying: Bool = false,
        now: Double
    ) async {
        let store = self.store
        let events = self.events
        var finished = record
        finished.status = end.status
        finished.reason = end.reason ?? record.reason
        finished.finishedAt = now
        finished.exitCode = end.exitCode
        finished.signal = end.signal
        finished.runID = end.runID
        finished.writesSent = end.writesSent
        finished.creditsMoved = end.creditsMoved
        finished.panels = panels
        let definition = jobs[record.job].flatMap { $0.removed ? nil : $0.job }
        // Observers hear of it as of any run's end: a crashed run is a failure to notify.
        await saveEnd(
            id: record.id, job: record.job, receipt: receipt, { try await store.finish(id: record.id, end, at: now) },
            then: { [finished] in events.runFinished(finished, job: definition, retrying: retrying) })
        logger.warning(
            "run left by the previous daemon recorded",
            metadata: [
                "job": "\(record.job)", "slot": "\(record.slot)", "status": "\(end.status.rawValue)", "reason": "\(end.reason ?? "")",
            ])
    }
}
