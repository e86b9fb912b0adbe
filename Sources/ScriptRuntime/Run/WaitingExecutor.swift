import Foundation

/// A task executor whose jobs run on the thread that waits for them: the script's thread.
///
/// A panel call is async; a host function is not. A call started with ``start(_:)`` (or
/// ``wait(giveUp:_:)``) runs with `Task.immediate` on this executor, so it runs on the
/// script's thread until it first suspends (an in-process panel never does), and every later
/// step is handed back to the same thread, which runs it in ``run(until:ready:)`` while it
/// waits. No step of a call crosses to another thread unless the I/O itself lives there (an
/// HTTP response arrives on the transport's event loop and is handed over once).
///
/// Jobs that arrive while the executor is closed (a call abandoned on Ctrl-C finishing late,
/// after its run ended) go to the global concurrent executor, so no task is ever stranded.
public final class WaitingExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var isOpen = false

    /// An executor for one waiting thread at a time.
    public init() {}

    /// Called by the concurrency runtime, from any thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard isOpen else {
            condition.unlock()
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// From now on jobs wait for this thread's ``run(until:ready:)``.
    public func open() {
        condition.withLock { isOpen = true }
    }

    /// Jobs queued or arriving from now on go to the global executor.
    public func close() {
        condition.lock()
        isOpen = false
        let leftovers = jobs
        jobs = []
        condition.unlock()
        for job in leftovers { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    /// Starts `body` on this thread with `Task.immediate`: it runs here up to its first
    /// suspension, and its later steps run in ``run(until:ready:)``. Call ``open()`` first.
    @discardableResult
    public func start(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        // The closure holds the executor for as long as the task can use it.
        Task.immediate(executorPreference: self) { [self] in
            _ = self
            await body()
        }
    }

    /// Runs `body` under the executor's lock: for state that tasks finishing on other threads
    /// share with the waiting thread. Use ``notify()`` inside to wake the waiter.
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        try condition.withLock(body)
    }

    /// Wakes ``run(until:ready:)``; call it under ``withLock(_:)`` after changing what
    /// `ready` reads.
    public func notify() { condition.signal() }

    /// Runs queued jobs on this thread until `ready()` (evaluated under the lock) is true or
    /// `deadline` passes, sleeping while there is nothing to run.
    public func run(until deadline: Date, ready: () -> Bool) {
        condition.lock()
        while true {
            if !jobs.isEmpty {
                let job = jobs.removeFirst()
                condition.unlock()
                job.runSynchronously(on: asUnownedTaskExecutor())
                condition.lock()
                continue
            }
            if ready() || !condition.wait(until: deadline) && jobs.isEmpty { break }
        }
        condition.unlock()
    }

    /// Runs `body` and waits for it on the calling thread, a plain thread that is not part of
    /// Swift concurrency (never call this from a task). Returns `nil` if `giveUp` said so
    /// first (checked at least every 20 ms); the task then finishes on the global executor.
    public func wait<T: Sendable>(
        giveUp: () -> Bool = { false }, _ body: @escaping @Sendable () async throws -> T
    ) -> Result<T, any Error>? {
        let box = Box<T>()
        open()
        start { [self] in
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            withLock {
                box.value = result
                notify()
            }
        }
        while withLock({ box.value == nil }) && !giveUp() {
            run(until: Date(timeIntervalSinceNow: 0.02)) { box.value != nil }
        }
        close()
        return withLock { box.value }
    }

    private final class Box<T: Sendable>: @unchecked Sendable {
        // Guarded by the executor's condition.
        var value: Result<T, any Error>?
    }
}
