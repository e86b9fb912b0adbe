import Foundation
import NightshiftCore

/// How `history` shows a run recorded `running` that nobody watches any more: its daemon is
/// gone (its lease ran out) and so is its process (pid and start time). The store is not
/// changed; the next daemon to start on the host records the same outcome.
public enum UnwatchedRuns {
    /// `runs` with each such run of `host` shown as it ended: its receipt's status when the
    /// child left one, `crashed` when a script's child left none, `interrupted` for a custom
    /// command (which reports no outcome).
    /// - Parameters:
    ///   - unfinished: the store's `unfinishedRuns()` (process identities and leases).
    ///   - isScript: whether a job runs `nightshift run` (not a custom `command`).
    ///   - now: seconds since the epoch, compared with the leases.
    public static func observed(
        _ runs: [JobRun], unfinished: [UnfinishedRun], host: String, isScript: (String) -> Bool, now: Double
    ) -> [JobRun] {
        let watch = Dictionary(unfinished.map { ($0.record.id, $0) }, uniquingKeysWith: { a, _ in a })
        return runs.map { run in
            guard run.status == .running, run.host == host, let held = watch[run.id], (held.leaseUntil ?? 0) < now,
                let pid = run.pid, !ProcessIdentity.isRunning(pid: pid, identity: held.pidStart)
            else { return run }
            var shown = run
            let note = "its process (pid \(pid)) is gone and no daemon watches it; the next daemon start records this"
            if isScript(run.job), let log = run.log, let receipt = RunReceipt.read(from: SchedulerDaemon.receiptPath(log: log)) {
                shown.status = receipt.status
                shown.reason = [receipt.error, "from the run's receipt: " + note].compactMap { $0 }.joined(separator: "; ")
                shown.runID = receipt.runID
                shown.writesSent = receipt.writesSent
                shown.creditsMoved = receipt.creditsMoved
            } else if isScript(run.job) {
                shown.status = .crashed
                shown.reason = note + "; writes it sent are in the audit log (nightshift audit)"
            } else {
                shown.status = .interrupted
                shown.reason = note + "; a custom command reports no outcome: see its log"
            }
            return shown
        }
    }
}
