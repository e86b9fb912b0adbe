import Foundation
import Synchronization

/// Ctrl-C for an interactive session: at the prompt it abandons the line being typed; while
/// a statement runs it calls the session's interrupt action (stop the VM, cancel a panel call).
///
/// The handler itself only sets a flag and posts a semaphore (both async-signal-safe); a
/// watcher thread waiting on the semaphore runs the action in ordinary context. Installing it
/// is the executable's decision (`nightshift repl`), not the library's.
public enum InterruptSignal {
    /// Set by the handler; read and cleared by the line reader.
    static let pending = Atomic<Bool>(false)
    nonisolated(unsafe) private static var semaphore = sem_t()
    nonisolated(unsafe) private static var action: (@Sendable () -> Void)?
    private static let installed = Atomic<Bool>(false)

    /// Installs the SIGINT handler (without SA_RESTART, so a blocked read returns) and starts
    /// the watcher thread. `action` runs on the watcher thread after each Ctrl-C.
    public static func install(action: @escaping @Sendable () -> Void) {
        self.action = action
        guard !installed.exchange(true, ordering: .relaxed) else { return }
        sem_init(&semaphore, 0, 0)
        var handler = sigaction()
        handler.__sigaction_handler.sa_handler = { _ in
            InterruptSignal.pending.store(true, ordering: .relaxed)
            sem_post(&InterruptSignal.semaphore)
        }
        sigemptyset(&handler.sa_mask)
        handler.sa_flags = 0
        sigaction(SIGINT, &handler, nil)
        let watcher = Thread {
            while true {
                if sem_wait(&InterruptSignal.semaphore) == 0 { InterruptSignal.action?() }
            }
        }
        watcher.name = "nightshift-interrupt"
        watcher.start()
    }
}
