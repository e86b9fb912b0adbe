import Foundation
import NightshiftCore

/// The message a job's webhook and command get: one JSON object about one run or skipped
/// slot, with a `text` line so that Slack and Mattermost incoming webhooks show it as is.
///
/// Every key is always present (null when it does not apply), so receivers can rely on the shape.
public struct JobNotification: Sendable {
    /// What happened.
    public var event: JobNotify.Event
    /// The run's (or skipped slot's) history row.
    public var run: JobRun
    /// The zone the job's slots are shown in.
    public var zone: ZoneRules
    /// The run's last bytes of output (at most 4 KiB), secrets removed.
    public var outputTail: String?
    /// How many slots a `missed` row stands for.
    public var missedSlots: Int?
    /// The status of the run before, for `recovered`.
    public var previousStatus: RunStatus?
    /// The plan waiting for approval, for `approval-needed`.
    public var approval: ApprovalRequest?
    /// Whether the child was `nightshift run`, whose exit codes have meanings (a job's own
    /// `command` may use any).
    public var exitCodesKnown: Bool

    /// Creates a message.
    public init(
        event: JobNotify.Event, run: JobRun, zone: ZoneRules, outputTail: String? = nil, missedSlots: Int? = nil,
        previousStatus: RunStatus? = nil, exitCodesKnown: Bool = true, approval: ApprovalRequest? = nil
    ) {
        self.approval = approval
        self.exitCodesKnown = exitCodesKnown
        self.event = event
        self.run = run
        self.zone = zone
        self.outputTail = outputTail
        self.missedSlots = missedSlots
        self.previousStatus = previousStatus
    }

    /// How the run ended, in words: `succeeded`, `exited with status 4 (outcome unknown: …)`,
    /// `killed by signal 9`, or the recorded reason.
    public var exitMeaning: String? {
        if let code = run.exitCode {
            guard exitCodesKnown, let known = RunExitCode(rawValue: code) else { return "exited with status \(code)" }
            return "exited with status \(code) (\(known.meaning))"
        }
        if let signal = run.signal { return "killed by signal \(signal)" }
        return run.status.isFinal ? run.reason : nil
    }

    /// One line for people: `nightshift: job nightly-topup failed (slot 2026-05-01T03:00:00+02:00, host a1): …`.
    public var text: String {
        let slot = ISO8601.format(run.slot, in: zone)
        let host = run.host.map { ", host \($0)" } ?? ""
        let what: String
        switch event {
        case .failure: what = run.status.rawValue
        case .outcomeUnknown: what = "ended with an unknown outcome (check the panel before running it again)"
        case .missed:
            if run.status == .skipped {
                let count = missedSlots ?? 1
                what = count > 1 ? "missed \(count) slots" : "missed a slot"
            } else {
                what = "ran late (catch-up)"
            }
        case .recovered: what = "recovered"
        case .success: what = "succeeded"
        case .approvalNeeded: what = "needs approval"
        }
        var line = "nightshift: job \(run.job) \(what) (slot \(slot)\(host))"
        switch event {
        case .failure, .outcomeUnknown, .missed:
            if let detail = run.reason ?? exitMeaning, !detail.isEmpty { line += ": \(detail)" }
        case .recovered:
            if let previousStatus { line += ": it succeeded after a run that ended \(previousStatus.rawValue)" }
        case .success:
            break
        case .approvalNeeded:
            if let approval {
                line += ": plan \(approval.planID) (\(approval.summary); \(approval.digest)) waits until \(approval.waitUntil); "
                    + "approve with: nightshift approve \(approval.planID) --key KEY, or in the console"
            }
        }
        return line
    }

    /// The JSON object, keys sorted.
    public func json() -> [UInt8] {
        func value(_ v: Any?) -> Any { v ?? NSNull() }
        let duration = run.startedAt.flatMap { start in run.finishedAt.map { $0 - start } }
        let object: [String: Any] = [
            "event": event.rawValue,
            "job": run.job,
            "slot": ISO8601.format(run.slot, in: zone),
            "slot_epoch": Int(run.slot),
            "run_id": value(run.runID),
            "history_id": Int(run.id),
            "kind": run.kind.rawValue,
            "host": value(run.host),
            "status": run.status.rawValue,
            "exit_code": value(run.exitCode.map { Int($0) }),
            "signal": value(run.signal.map { Int($0) }),
            "exit_meaning": value(exitMeaning),
            "error": value(run.reason),
            "writes_sent": value(run.writesSent),
            "credits_moved": value(run.creditsMoved),
            "started_at": value(run.startedAt),
            "finished_at": value(run.finishedAt),
            "duration_seconds": value(duration),
            "missed_slots": value(missedSlots),
            "previous_status": value(previousStatus?.rawValue),
            "output_tail": value(outputTail),
            "plan": value(
                approval.map {
                    [
                        "id": $0.planID, "digest": $0.digest, "path": $0.path, "writes": $0.writes, "credits": $0.credits,
                        "wait_until": $0.waitUntil, "summary": $0.summary,
                    ] as [String: Any]
                }),
            // Each panel's run (a fleet has several); null when the run's receipt said none.
            "panels": value(run.panels.map { panels in
                panels.map { panel -> [String: Any] in
                    [
                        "panel": panel.panel, "run_id": value(panel.runID), "status": panel.status.rawValue,
                        "exit_code": Int(panel.exitCode), "error": value(panel.error), "writes_sent": panel.writesSent,
                        "credits_moved": panel.creditsMoved,
                    ]
                }
            }),
            "failed_panels": value(run.panels.map { $0.filter { $0.status != .succeeded }.map(\.panel) }),
            "text": text,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data)
    }
}
