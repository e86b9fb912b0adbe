import Foundation

/// A task executor whose jobs run on the thread that waits for them: the script's thread.
///
/// A panel call is async; a host function is not. ``wait(giveUp:_:)`` starts the call with
/// `Task.immediate` on this executor, so the call runs on the script's thread until it first
/// suspends (an in-process panel never does), and every later step is handed back to the
/// same thread, which runs it while it waits. No step of a call crosses to another thread
/// unless the I/O itself lives there (an HTTP response arrives on the transport's event loop
/// and is handed over once).
///
/// Jobs that arrive while nobody waits (a call abandoned on Ctrl-C finishing late) go to
/// the global concurrent executor, so no task is ever stranded.
public final class WaitingExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var waiting = false

    /// An executor for one waiting thread at a time.
    public init() {}

    /// Called by the concurrency runtime, from any thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard waiting else {
            condition.unlock()
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` and waits for it on the calling thread, a plain thread that is not part of
    /// Swift concurrency (never call this from a task). Returns `nil` if `giveUp` said so
    /// first (checked at least every 20 ms); the task then finishes on the global executor.
    public func wait<T: Sendable>(
        giveUp: () -> Bool = { false }, _ body: @escaping @Sendable () async throws -> T
    ) -> Result<T, any Error>? {
        let box = Box<T>()
        condition.withLock { waiting = true }
        // `Task.immediate` runs the call here up to its first suspension; the closure holds
        // the executor for as long as the task can use it.
        Task.immediate(executorPreference: self) { [self] in
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            condition.withLock {
                box.value = result
                condition.signal()
            }
        }
        condition.lock()
        while box.value == nil {
            if !jobs.isEmpty {
                let job = jobs.removeFirst()
                condition.unlock()
                job.runSynchronously(on: asUnownedTaskExecutor())
                condition.lock()
            } else if giveUp() {
                break
            } else {
                _ = condition.wait(until: Date(timeIntervalSinceNow: 0.02))
            }
        }
        let value = box.value
        waiting = false
        let leftovers = jobs
        jobs = []
        condition.unlock()
        for job in leftovers { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        return value
    }

    private final class Box<T: Sendable>: @unchecked Sendable {
        // Guarded by the executor's condition.
        var value: Result<T, any Error>?
    }
}
