import Foundation
import LuaHost
import NotifyDelivery
import PanelAPI
import RunRecords
import ScriptAPI

extension GuardedPanel {
    /// `notify.send(target, message)`: granted per target, audited like a write, planned in
    /// a dry-run, confirmed in confirm mode, and otherwise delivered by the run's
    /// ``Notifier`` without blocking the script's other tasks.
    func notify(target name: String, body: [UInt8], location: String?) -> CallStep<LuaValue> {
        if let stop { return .now(.failure(stop)) }
        let endpoint = "notify.\(name)"
        let target = notifier?.targets[name]
        let message = String(decoding: body, as: UTF8.self)
        let planned = PlannedChange(
            endpoint: endpoint, target: target?.label ?? endpoint, parameters: redactSecrets(message), creditsBefore: nil,
            creditsAfter: nil, creditChange: 0, location: location)
        // The grant first: a script learns nothing about targets it may not use.
        guard grant.allows(APIFunction(rawValue: endpoint)) else {
            let failure = ScriptFailure(
                .notGranted, endpoint: endpoint,
                detail: "\(endpoint) is not granted (grant it with --allow \(endpoint)); nothing was sent")
            _ = recordNotification(planned, outcome: AuditOutcome.refused, answer: failure.message)
            stopRun(failure)
            return .now(.failure(failure))
        }
        guard let notifier, let target else {
            return .now(
                .failure(
                    ScriptFailure(
                        .invalid, endpoint: endpoint,
                        detail: "no notification target '\(name)' is configured (the operator defines [notify.\(name)] in nightshift.toml); nothing was sent")))
        }
        switch mode {
        case .dryRun:
            guard recordNotification(planned, outcome: AuditOutcome.planned, answer: "not sent (dry-run)") != nil else {
                return .now(.failure(auditFailure(endpoint)))
            }
            addToPlan(planned)
            return .now(.success(.boolean(true)))
        case .confirm:
            if !(confirmer?.confirm(planned) ?? false) {
                let failure = ScriptFailure(.declined, endpoint: endpoint, detail: "the operator said no; nothing was sent")
                _ = recordNotification(planned, outcome: AuditOutcome.declined, answer: failure.message)
                return .now(.failure(failure))
            }
        case .live:
            break
        }
        guard let row = recordNotification(planned, outcome: AuditOutcome.unknown, answer: nil) else {
            return .now(.failure(auditFailure(endpoint)))
        }
        notificationsSent += 1
        return .later(
            PanelWait(kind: .mutation, endpoint: endpoint) {
                .success(.notification(await notifier.deliver(target, body: body)))
            } finish: { [unowned self] outcome in
                finishNotification(endpoint, row: row, outcome)
            })
    }

    /// A delivery's receipt, on the script's thread: the audit row completed, and the
    /// script's answer (`true`, an error it may catch, or outcome unknown, which ends the run).
    private func finishNotification(
        _ endpoint: String, row: Int64, _ outcome: Result<PanelAnswer, PanelError>
    ) -> Result<LuaValue, ScriptFailure> {
        let receipt: NotifyReceipt
        switch outcome {
        case .success(.notification(let delivered)):
            receipt = delivered
        case .success:
            receipt = NotifyReceipt(outcome: .unknown, detail: "no receipt")
        case .failure(let error):
            // The run stopped before the delivery ended.
            receipt = NotifyReceipt(outcome: .unknown, detail: error.description)
        }
        let tries = receipt.attempts > 1 ? " (\(receipt.attempts) attempts)" : ""
        switch receipt.outcome {
        case .delivered:
            completeNotification(row, outcome: AuditOutcome.done, answer: receipt.detail + tries)
            return .success(.boolean(true))
        case .rejected, .notSent:
            let failure = ScriptFailure(
                .notifyFailed, endpoint: endpoint,
                detail: receipt.detail + tries + (receipt.outcome == .notSent ? "; nothing was received" : ""))
            completeNotification(row, outcome: AuditOutcome.failed, answer: failure.message)
            return .failure(failure)
        case .unknown:
            let failure = ScriptFailure(.panel(.outcomeUnknown), endpoint: endpoint, detail: receipt.detail)
            completeNotification(row, outcome: AuditOutcome.unknown, answer: failure.message)
            stopRun(failure)
            return .failure(failure)
        }
    }

    private func recordNotification(_ planned: PlannedChange, outcome: String, answer: String?) -> Int64? {
        recordEntry(
            endpoint: planned.endpoint, target: planned.target, parameters: planned.parameters, outcome: outcome,
            answer: answer.map(redactSecrets), creditChange: 0, creditsBefore: nil, creditsAfter: nil, location: planned.location)
    }

    private func completeNotification(_ row: Int64, outcome: String, answer: String) {
        complete(row, outcome: outcome, answer: redactSecrets(answer))
    }

    /// `text` without the API key or any webhook URL.
    func redactSecrets(_ text: String) -> String {
        let text = client.configuration.apiKey.redact(text)
        return notifier?.redact(text) ?? text
    }
}
