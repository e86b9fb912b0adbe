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
    /// The thread that reads the terminal: the signal must land there to break its read.
    nonisolated(unsafe) private static var reader = pthread_self()
    private static let installed = Atomic<Bool>(false)

    /// Installs the SIGINT handler (without SA_RESTART, so a blocked read returns) and starts
    /// the watcher thread. Call it on the thread that reads the terminal. `action` runs on
    /// the watcher thread after each Ctrl-C.
    public static func install(action: @escaping @Sendable () -> Void) {
        self.action = action
        reader = pthread_self()
        // A thread started from a dispatch or Swift-concurrency thread inherits its blocked
        // signals; the reader must take SIGINT.
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        guard !installed.exchange(true, ordering: .relaxed) else { return }
        sem_init(&semaphore, 0, 0)
        var handler = sigaction()
        handler.__sigaction_handler.sa_handler = { signal in
            // The kernel picks any thread; pass the signal on to the reader so that its
            // read() is the one interrupted (pthread_kill is async-signal-safe).
            if pthread_equal(pthread_self(), InterruptSignal.reader) == 0 {
                pthread_kill(InterruptSignal.reader, signal)
                return
            }
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
