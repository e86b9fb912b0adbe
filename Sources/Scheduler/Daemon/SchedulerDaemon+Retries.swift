import Foundation
import NightshiftCore

extension SchedulerDaemon {
    /// Queues the next attempt of a run whose child says it sent nothing and failed for a
    /// reason worth another try (`RunReceipt.retryable`), if the job's `retry` allows one and
    /// it would start before the job's next slot; says what was decided in `end.reason`.
    ///
    /// The retry is a row of its own, (job, slot, attempt + 1), offered like a slot and ready
    /// at its time: any daemon with a free place then claims it, and it runs at most once
    /// whatever happens to this daemon.
    /// - Returns: whether another attempt is queued.
    func retryIfWorthIt(
        job name: String, slot: Int64, kind: RunKind, attempt: Int, receipt: RunReceipt, end: inout RunEnd, now: Double
    ) async -> Bool {
        guard receipt.retryable, let state = jobs[name], !state.removed, let policy = state.job.retry else { return false }
        let next = attempt + 1
        guard next <= policy.attempts else {
            if policy.attempts > 1 { end.reason = note(end.reason, "no retry left (\(policy.attempts) attempts)") }
            return false
        }
        guard !shuttingDown else {
            end.reason = note(end.reason, "not retried: the daemon is shutting down")
            return false
        }
        let at = now + Double(policy.delay(after: attempt))
        // A retry never competes with the job's next slot: that slot is the next try anyway.
        if let upcoming = state.next, Double(upcoming + state.job.jitterDelay(forSlot: upcoming)) <= at {
            end.reason = note(
                end.reason,
                "not retried: the next slot (\(ISO8601.format(upcoming, in: state.job.zone))) comes before attempt \(next) would start")
            logger.info("retry dropped: the next slot comes first", metadata: ["job": "\(name)", "slot": "\(slot)"])
            return false
        }
        let offer = SlotOffer(
            job: name, slot: slot, kind: kind, attempt: next, readyAt: at, overlap: state.job.overlap,
            pool: PoolName.of(state.job), reason: "retry \(next) of \(policy.attempts): attempt \(attempt) failed before sending anything")
        do {
            // Offered already (before a restart): that row is the retry.
            _ = try await store.offer([offer], at: now)
            mayBeWaiting = true
            end.reason = note(end.reason, "retry \(next) of \(policy.attempts) at \(ISO8601.format(Int64(at.rounded(.up)), in: state.job.zone))")
            logger.info(
                "run failed before sending anything; retrying",
                metadata: ["job": "\(name)", "slot": "\(slot)", "attempt": "\(next)", "delay": "\(Int(at - now))s"])
            return true
        } catch {
            end.reason = note(end.reason, "not retried: the store could not take the retry (\(error))")
            logger.error("cannot offer a retry; not retrying: \(error)", metadata: ["job": "\(name)", "slot": "\(slot)"])
            return false
        }
    }

    private func note(_ reason: String?, _ addition: String) -> String {
        guard let reason, !reason.isEmpty else { return addition }
        return reason + "; " + addition
    }

    /// `<logs>/<job>/<slot>-<id>.log`: one file per attempt (each has its own row id).
    func logPath(job: String, slot: Int64, id: Int64) -> String {
        (settings.logDirectory as NSString).appendingPathComponent("\(job)/\(slot)-\(id).log")
    }

    /// Where `nightshift run` leaves its receipt: beside its log.
    static func receiptPath(log: String) -> String {
        (log.hasSuffix(".log") ? String(log.dropLast(4)) : log) + ".receipt.json"
    }
}
