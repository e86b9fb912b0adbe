import Dispatch
import Foundation
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

    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Result<T, PanelError> {
        let box = Box<T>()
        let semaphore = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                box.value = .success(try await body())
            } catch let error as PanelError {
                box.value = .failure(error)
            } catch {
                box.value = .failure(PanelError(.transport, endpoint: "panel", detail: "\(error)"))
            }
            semaphore.signal()
        }
        semaphore.wait()
        return box.value!
    }
}
