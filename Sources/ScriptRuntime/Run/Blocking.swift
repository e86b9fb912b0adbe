import LuaHost
import PanelAPI

/// Runs an async panel call from the script's own thread and waits for it.
///
/// Host functions are synchronous and run on the VM's thread, a plain `Thread` made for the
/// run: blocking it is fine. Never call this from a Swift-concurrency thread.
enum Blocking {
    /// Runs `body` on `executor`'s waiting thread (see ``WaitingExecutor``); gives up when
    /// `interrupter` reports a stop request, with a timeout for a read and "outcome unknown"
    /// for a write (it may have reached the panel).
    static func wait<T: Sendable>(
        on executor: WaitingExecutor, interrupter: LuaInterrupter? = nil, kind: PanelRequest.Kind = .read,
        endpoint: String = "panel", _ body: @escaping @Sendable () async throws -> T
    ) -> Result<T, PanelError> {
        switch executor.wait(giveUp: { interrupter?.isRequested ?? false }, body) {
        case .success(let value):
            return .success(value)
        case .failure(let error as PanelError):
            return .failure(error)
        case .failure(let error):
            return .failure(PanelError(.transport, endpoint: endpoint, detail: "\(error)"))
        case nil:
            // The task finishes on its own; its answer is no longer wanted.
            return .failure(
                kind == .read
                    ? PanelError(.timeout, endpoint: endpoint, detail: "stopped while waiting for the panel")
                    : PanelError(
                        .outcomeUnknown, endpoint: endpoint,
                        detail: "stopped while waiting for the panel; the change may or may not have been applied"))
        }
    }
}
