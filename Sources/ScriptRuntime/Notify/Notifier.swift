import Foundation
import NotifyDelivery
import NightshiftConfig

/// Delivers scripts' notifications to the operator's targets: a webhook gets the message as
/// a JSON POST, a command gets it on its standard input.
///
/// A delivery is one attempt, plus bounded retries only when nothing reached the receiver
/// (connection refused, the command could not start). After a timeout the message may have
/// arrived, so it is never sent again. Webhook URLs are secrets: no receipt, error or log
/// line names them (see ``redact(_:)``). Safe to use from any thread.
public final class Notifier: Sendable {
    /// The configured targets, by name.
    public let targets: [String: NotifyTarget]
    /// The most one attempt may take (connect, send and answer, or the command's run).
    public let timeout: Duration
    /// The waits before each retry of a delivery that reached no one.
    public let retryDelays: [Duration]

    /// - Parameters:
    ///   - targets: the `[notify.NAME]` targets.
    ///   - timeout: the most one attempt may take.
    ///   - retryDelays: one wait per retry when nothing was received.
    public init(
        targets: [NotifyTarget], timeout: Duration = .seconds(10),
        retryDelays: [Duration] = [.milliseconds(200), .seconds(1)]
    ) {
        self.targets = Dictionary(targets.map { ($0.name, $0) }) { $1 }
        self.timeout = timeout
        self.retryDelays = retryDelays
    }

    /// `text` with every webhook URL replaced by `[webhook URL]`.
    public func redact(_ text: String) -> String {
        var text = text
        for target in targets.values {
            guard case .webhook(let url) = target.delivery, !url.isEmpty else { continue }
            text = text.replacingOccurrences(of: url, with: "[webhook URL]")
        }
        return text
    }

    /// Delivers `body` (JSON) to `target`. Runs in a task of its own: cancelling the caller
    /// after the first attempt started does not cut a delivery short.
    func deliver(_ target: NotifyTarget, body: [UInt8]) async -> NotifyReceipt {
        if Task.isCancelled { return NotifyReceipt(outcome: .notSent, detail: "the run stopped before it was sent", attempts: 0) }
        let timeout = self.timeout
        let attempt: @Sendable () async -> NotifyReceipt =
            switch target.delivery {
            case .webhook(let url): { await HTTPDelivery.send(body, to: url, timeout: timeout) }
            case .command(let argv): { await CommandDelivery.run(argv, input: body, timeout: timeout) }
            }
        let delays = retryDelays
        // Retried only when nothing reached the receiver.
        let receipt = await Task {
            await DeliveryRetry.deliver(delays: delays, shouldRetry: { $0.outcome == .notSent }, attempt: attempt)
        }.value
        return NotifyReceipt(
            outcome: receipt.outcome, status: receipt.status, detail: redact(receipt.detail), attempts: receipt.attempts)
    }
}
