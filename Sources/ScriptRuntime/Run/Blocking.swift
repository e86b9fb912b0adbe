import Dispatch
import Foundation
import LuaHost
import PanelAPI

/// Runs an async panel call from the script's own thread and waits for it.
///
/// Host functions are synchronous and run on the VM's thread, a plain `Thread` made for the
/// run: blocking it is fine. Never call this from a Swift-concurrency thread.
enum Blocking {
    private final class Box<T: Sendable>: @unchecked Sendable {
        // Written once by the task before it signals; read after the wait.
        var value: Result<T, PanelError>?
    }

    /// Waits for `body`; gives up when `interrupter` reports a stop request, with a timeout
    /// for a read and "outcome unknown" for a write (it may have reached the panel).
    static func wait<T: Sendable>(
        interrupter: LuaInterrupter? = nil, kind: PanelRequest.Kind = .read, endpoint: String = "panel",
        _ body: @escaping @Sendable () async throws -> T
    ) -> Result<T, PanelError> {
        let box = Box<T>()
        let semaphore = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                box.value = .success(try await body())
            } catch let error as PanelError {
                box.value = .failure(error)
            } catch {
                box.value = .failure(PanelError(.transport, endpoint: endpoint, detail: "\(error)"))
            }
            semaphore.signal()
        }
        guard let interrupter else {
            semaphore.wait()
            return box.value!
        }
        while semaphore.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
            if interrupter.isRequested {
                // The task finishes on its own; its answer is no longer wanted.
                return .failure(
                    kind == .read
                        ? PanelError(.timeout, endpoint: endpoint, detail: "stopped while waiting for the panel")
                        : PanelError(
                            .outcomeUnknown, endpoint: endpoint,
                            detail: "stopped while waiting for the panel; the change may or may not have been applied"))
            }
        }
        return box.value!
    }
}
