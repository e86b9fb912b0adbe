import LuaHost
import NotifyDelivery
import PanelAPI

/// What a script's panel call does next: it is answered at once (a refusal, a planned
/// write, an argument error), or it waits for the panel.
///
/// The waiting part is split in two so that the script's thread never blocks inside it: the
/// ``PanelWait/operation`` runs asynchronously, and ``PanelWait/finish`` runs back on the
/// script's thread with its outcome (audit, ledger, view) to make the call's answer.
package enum CallStep<Value> {
    /// Answered now.
    case now(Result<Value, ScriptFailure>)
    /// Waits for the panel.
    case later(PanelWait<Value>)

    /// The same step with its value transformed when it comes.
    package func map<Other>(_ transform: @escaping (Value) -> Other) -> CallStep<Other> {
        switch self {
        case .now(let result): .now(result.map(transform))
        case .later(let wait): .later(wait.map(transform))
        }
    }

    /// The same step with its value turned into another, or into a failure, when it comes.
    package func then<Other>(_ transform: @escaping (Value) -> Result<Other, ScriptFailure>) -> CallStep<Other> {
        switch self {
        case .now(let result): .now(result.flatMap(transform))
        case .later(let wait): .later(wait.then(transform))
        }
    }
}

/// The panel's answer to one operation.
package enum PanelAnswer: Sendable {
    /// A call's reply.
    case reply(PanelReply)
    /// A notification's delivery (its failures are receipts too: the wait itself never fails).
    case notification(NotifyReceipt)
}

/// A panel call in flight, and what to do with its outcome.
package struct PanelWait<Value> {
    /// Read or write: a stop abandons reads but waits for writes already sent.
    package var kind: PanelRequest.Kind
    /// The endpoint, for the errors of an abandoned call.
    package var endpoint: String
    /// The call itself, run as a Swift task.
    package var operation: @Sendable () async -> Result<PanelAnswer, PanelError>
    /// Runs on the script's thread with the outcome.
    package var finish: (Result<PanelAnswer, PanelError>) -> Result<Value, ScriptFailure>

    /// Creates a wait.
    package init(
        kind: PanelRequest.Kind, endpoint: String, operation: @escaping @Sendable () async -> Result<PanelAnswer, PanelError>,
        finish: @escaping (Result<PanelAnswer, PanelError>) -> Result<Value, ScriptFailure>
    ) {
        self.kind = kind
        self.endpoint = endpoint
        self.operation = operation
        self.finish = finish
    }

    package func map<Other>(_ transform: @escaping (Value) -> Other) -> PanelWait<Other> {
        let finish = self.finish
        return PanelWait<Other>(kind: kind, endpoint: endpoint, operation: operation) { finish($0).map(transform) }
    }

    package func then<Other>(_ transform: @escaping (Value) -> Result<Other, ScriptFailure>) -> PanelWait<Other> {
        let finish = self.finish
        return PanelWait<Other>(kind: kind, endpoint: endpoint, operation: operation) { finish($0).flatMap(transform) }
    }

    /// The outcome a call has when the run stops before its answer came: a read timed out;
    /// a write may or may not have been applied.
    package var abandoned: PanelError {
        kind == .read
            ? PanelError(.timeout, endpoint: endpoint, detail: "stopped while waiting for the panel")
            : PanelError(
                .outcomeUnknown, endpoint: endpoint,
                detail: "stopped while waiting for the panel; the change may or may not have been applied")
    }
}
