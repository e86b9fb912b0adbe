import Foundation
import LuaHost
import PanelAPI
import ScriptAPI

/// Runs a script's tasks: Lua coroutines that wait for the panel without blocking one
/// another, all on the script's one thread.
///
/// A panel call made by a task yields the task's coroutine; the call runs as a Swift task
/// (the panel client keeps at most `--concurrency` requests in flight), and when its answer is
/// in, the task is resumed with it. A call made anywhere else (the script's main chunk, the
/// script's own coroutines, a `table.sort` comparator inside a task) waits in place, and
/// while it waits the other tasks go on.
///
/// A stop (Ctrl-C, the deadline, a limit, a refusal that ends the run) resumes no task again:
/// calls not yet sent are cancelled (nothing is sent), and ``settle()`` waits for the writes
/// already sent, so that each is audited with its real outcome.
///
/// Used on the script's thread only.
final class TaskScheduler {
    /// Why a wait ended.
    enum WaitEnd {
        /// What was waited for happened.
        case done
        /// The run is stopping: the host function returns ``LuaReturn/stop``.
        case stopped
        /// Every task waits for another and nothing is pending: nothing can ever happen.
        case deadlocked
    }

    /// A script-facing failure raised as a plain Lua error at the caller's line.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The VM the tasks run in (it owns the host functions, and so this scheduler).
    unowned let vm: LuaVM
    /// The most tasks alive at once; one more trips the run's task limit.
    let maxTasks: Int
    /// Whether answers are handed to tasks in the order their calls were made (dry-run, so
    /// that the plan is the same on every run against the same panel).
    var deliversInOrder: () -> Bool = { false }
    /// The longest a stop waits for writes already sent (their real outcome) before they are
    /// recorded as outcome unknown.
    var drainLimit: Duration = .seconds(5)

    private let executor = WaitingExecutor()
    private let mailbox = Mailbox()
    private var tasks: [Int: ScriptTask] = [:]
    private var byThread: [LuaThreadID: ScriptTask] = [:]
    private var ready = Queue<ScriptTask>()
    private var operations: [Int: Operation] = [:]
    /// Sequence numbers of pending operations, in the order they were made.
    private var issued = Queue<Int>()
    /// Outcomes that came before an earlier operation's (in-order delivery only).
    private var early: [Int: Outcome] = [:]
    private var sleepers: [Int] = []
    private var nextSequence = 1
    private var nextTaskID = 1
    private var stopping = false
    /// Failures of task bodies the Lua side could not record (limits, memory).
    private(set) var hostFailures: [String] = []

    init(vm: LuaVM, maxTasks: Int) {
        self.vm = vm
        self.maxTasks = maxTasks
    }

    /// Tasks made and not finished.
    var liveTasks: Int { tasks.count }

    /// Starts taking the answers of panel calls on this thread (call before the script runs).
    func open() { executor.open() }

    // MARK: Host functions

    /// `tasks.spawn`: makes a task of argument 1 (the Lua body) with the rest as its
    /// arguments; it starts when the spawner next waits. Returns the task's id.
    func spawn(_ args: LuaArguments) throws -> LuaReturn {
        if stopping || vm.isStopping { return .stop }
        guard tasks.count < maxTasks else {
            vm.trip(.tasks(maxTasks))
            return .stop
        }
        let coroutine = try args.makeCoroutine(functionAt: 1)
        let task = ScriptTask(id: nextTaskID, coroutine: coroutine)
        nextTaskID += 1
        tasks[task.id] = task
        byThread[coroutine.thread] = task
        ready.push(task)
        return .one(.integer(Int64(task.id)))
    }

    /// `task:wait()`'s host side: returns once task `id` has finished (its results are kept
    /// on the Lua side).
    func wait(_ args: LuaArguments) throws -> LuaReturn {
        let id = Int(try args.integer(1))
        guard let target = tasks[id] else { return .none }
        if byThread[args.thread] === target { throw Failure(description: "a task cannot wait for itself") }
        if let task = yieldingTask(args) {
            target.waiters.append(task)
            task.state = .waiting
            return .yield
        }
        return try end(pump { target.state == .done })
    }

    /// `tasks.sleep(seconds)`.
    func sleep(_ args: LuaArguments) throws -> LuaReturn {
        try args.expectAtMost(1)
        let seconds = try args.number(1)
        guard seconds >= 0 else { throw args.error(1, "seconds must not be negative") }
        let wakeAt = ContinuousClock.now + .nanoseconds(Int64(min(seconds, 1e9) * 1e9))
        if let task = yieldingTask(args) {
            addOperation(isWrite: false, wakeAt: wakeAt, abandoned: nil) { [unowned self] _ in makeReady(task) }
            task.state = .waiting
            return .yield
        }
        var woke = false
        addOperation(isWrite: false, wakeAt: wakeAt, abandoned: nil) { _ in woke = true }
        return try end(pump { woke })
    }

    /// The end of the script (or of a REPL statement): waits for every task.
    func join(_ args: LuaArguments) throws -> LuaReturn {
        let result = try end(pump { tasks.isEmpty })
        if let first = hostFailures.first {
            hostFailures = []
            throw Failure(description: first)
        }
        return result
    }

    /// Answers a panel call: now, or by yielding the task, or by waiting in place. A failure
    /// is thrown (the trampoline raises it at the script's line), or raised when the task is
    /// resumed with it.
    func answer(_ args: LuaArguments, _ step: CallStep<LuaValue>) throws -> LuaReturn {
        switch step {
        case .now(let result):
            return .one(try result.get())
        case .later(let wait):
            if let task = yieldingTask(args) {
                start(wait) { [unowned self] result in
                    task.resumption = result
                    makeReady(task)
                }
                task.state = .waiting
                return .yield
            }
            var answer: Result<LuaValue, ScriptFailure>?
            start(wait) { answer = $0 }
            switch pump(until: { answer != nil }) {
            case .done: return .one(try answer!.get())
            case .stopped: return .stop
            case .deadlocked: throw ScriptFailure(wait.abandoned)
            }
        }
    }

    /// Runs `body` and answers with its step; an argument error it throws is raised as thrown.
    func answer(_ args: LuaArguments, _ body: () throws -> CallStep<LuaValue>) throws -> LuaReturn {
        try answer(args, try body())
    }

    /// Waits in place for a panel call made by host code (a read a write needs first).
    /// `nil` when the run is stopping.
    func waitInPlace<Value>(_ wait: PanelWait<Value>) -> Result<Value, ScriptFailure>? {
        var outcome: Result<Value, ScriptFailure>?
        start(wait) { outcome = $0 }
        _ = pump { outcome != nil }
        return outcome
    }

    // MARK: After the call

    /// Ends what the last call left: calls not yet sent are cancelled, writes already sent
    /// are waited for (at most ``drainLimit``, and not past the call's deadline) and audited
    /// with their outcome, the rest is recorded as outcome unknown, and every task is dropped.
    func settle() {
        if !operations.isEmpty {
            stop()
            var limit = ContinuousClock.now + drainLimit
            if let deadline = vm.callDeadline { limit = min(limit, deadline + .milliseconds(600)) }
            while operations.values.contains(where: \.isWrite), ContinuousClock.now < limit {
                for (sequence, outcome) in takeMail() {
                    guard let operation = operations[sequence], operation.isWrite else { continue }
                    operations[sequence] = nil
                    operation.deliver(outcome)
                }
                let wake = min(Date(timeIntervalSinceNow: 0.02), Date(timeIntervalSinceNow: seconds(limit - .now)))
                executor.run(until: wake) { !mailbox.items.isEmpty }
            }
            for operation in operations.values.sorted(by: { $0.sequence < $1.sequence }) where operation.isWrite {
                operation.deliver(.failure(operation.abandoned ?? PanelError(.outcomeUnknown, endpoint: "panel")))
            }
        }
        for task in tasks.values { vm.release(task.coroutine) }
        tasks = [:]
        byThread = [:]
        ready = Queue()
        operations = [:]
        issued = Queue()
        early = [:]
        sleepers = []
        hostFailures = []
        stopping = false
    }

    /// Hands jobs of calls still running to the global executor: the run is over.
    func close() { executor.close() }

    // MARK: The loop

    /// Runs tasks and delivers answers until `done()`; stops at a stop request.
    private func pump(until done: () -> Bool) -> WaitEnd {
        while true {
            if done() { return .done }
            if stopping || vm.isStopping {
                stop()
                return .stopped
            }
            if let task = ready.pop() {
                resume(task)
                continue
            }
            if deliverArrivals() { continue }
            if operations.isEmpty { return .deadlocked }
            var wake = Date(timeIntervalSinceNow: 0.02)
            if let next = sleepers.compactMap({ operations[$0]?.wakeAt }).min() {
                wake = min(wake, Date(timeIntervalSinceNow: seconds(next - .now)))
            }
            executor.run(until: wake) { !mailbox.items.isEmpty }
        }
    }

    private func end(_ end: WaitEnd) throws -> LuaReturn {
        switch end {
        case .done: return .none
        case .stopped: return .stop
        case .deadlocked:
            throw Failure(description: "deadlock: every task waits for another task, and no panel call or sleep is pending")
        }
    }

    private func resume(_ task: ScriptTask) {
        task.state = .running
        let resumption = task.resumption
        task.resumption = nil
        let outcome: LuaResumeOutcome
        switch resumption {
        case .success(let value)?: outcome = vm.resume(task.coroutine, with: [value])
        case .failure(let failure)?: outcome = vm.resume(task.coroutine, raising: failure)
        case nil: outcome = vm.resume(task.coroutine)
        }
        switch outcome {
        case .yielded:
            // A plain coroutine.yield in a task: it only lets the others run.
            if task.state == .running { makeReady(task) }
        case .finished:
            finish(task)
        case .failed(let error):
            // The body records the script's own errors itself; what reaches here is a limit
            // (the run is stopping anyway) or a failure of the body's own bookkeeping.
            if case .limit = error.kind {} else { hostFailures.append("task \(task.id): \(error.message)") }
            finish(task)
        }
    }

    private func finish(_ task: ScriptTask) {
        task.state = .done
        vm.release(task.coroutine)
        tasks[task.id] = nil
        byThread[task.coroutine.thread] = nil
        for waiter in task.waiters { makeReady(waiter) }
        task.waiters = []
    }

    private func makeReady(_ task: ScriptTask) {
        task.state = .ready
        ready.push(task)
    }

    /// The task to yield, when the call runs directly on a task's coroutine and may yield.
    private func yieldingTask(_ args: LuaArguments) -> ScriptTask? {
        guard args.canYield, let task = byThread[args.thread], task.state == .running else { return nil }
        return task
    }

    private func stop() {
        guard !stopping else { return }
        stopping = true
        // Not-yet-sent calls end without sending; writes already sent are not cancelled.
        for operation in operations.values { operation.task?.cancel() }
    }

    // MARK: Operations

    private func start<Value>(_ wait: PanelWait<Value>, deliver: @escaping (Result<Value, ScriptFailure>) -> Void) {
        let finish = wait.finish
        let operation = addOperation(isWrite: wait.kind == .mutation, wakeAt: nil, abandoned: wait.abandoned) { outcome in
            deliver(finish(outcome ?? .failure(wait.abandoned)))
        }
        let sequence = operation.sequence
        let mailbox = self.mailbox
        let executor = self.executor
        let call = wait.operation
        operation.task = executor.start {
            let outcome = await call()
            executor.withLock {
                mailbox.items.append((sequence, outcome))
                executor.notify()
            }
        }
    }

    @discardableResult
    private func addOperation(
        isWrite: Bool, wakeAt: ContinuousClock.Instant?, abandoned: PanelError?,
        deliver: @escaping (Outcome) -> Void
    ) -> Operation {
        let operation = Operation(
            sequence: nextSequence, isWrite: isWrite, wakeAt: wakeAt, abandoned: abandoned, deliver: deliver)
        nextSequence += 1
        operations[operation.sequence] = operation
        issued.push(operation.sequence)
        if wakeAt != nil { sleepers.append(operation.sequence) }
        return operation
    }

    private func takeMail() -> [(Int, Outcome)] {
        executor.withLock {
            let items = mailbox.items
            mailbox.items = []
            return items.map { ($0.0, .some($0.1)) }
        }
    }

    /// Hands the answers that came (and the sleeps that ended) to their waiters; returns
    /// whether it handed any.
    private func deliverArrivals() -> Bool {
        var arrivals = takeMail()
        if !sleepers.isEmpty {
            let now = ContinuousClock.now
            sleepers.removeAll { sequence in
                guard let wakeAt = operations[sequence]?.wakeAt else { return true }
                guard wakeAt <= now else { return false }
                arrivals.append((sequence, nil))
                return true
            }
        }
        guard !arrivals.isEmpty else { return false }
        if deliversInOrder() {
            for (sequence, outcome) in arrivals { early[sequence] = outcome }
            var delivered = false
            while let next = issued.peek() {
                if operations[next] == nil {
                    _ = issued.pop()
                    continue
                }
                guard let outcome = early.removeValue(forKey: next) else { break }
                _ = issued.pop()
                delivered = deliver(next, outcome) || delivered
            }
            return delivered
        }
        var delivered = false
        for (sequence, outcome) in arrivals { delivered = deliver(sequence, outcome) || delivered }
        while let next = issued.peek(), operations[next] == nil { _ = issued.pop() }
        return delivered
    }

    private func deliver(_ sequence: Int, _ outcome: Outcome) -> Bool {
        guard let operation = operations.removeValue(forKey: sequence) else { return false }
        operation.deliver(outcome)
        return true
    }

    private func seconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return max(0, Double(s) + Double(atto) / 1e18)
    }
}

extension TaskScheduler {
    /// A panel call's outcome, or `nil` for a sleep that ended.
    typealias Outcome = Result<PanelAnswer, PanelError>?

    /// One thing the script waits for: a panel call or a sleep.
    final class Operation {
        let sequence: Int
        let isWrite: Bool
        /// When a sleep ends; `nil` for a panel call.
        let wakeAt: ContinuousClock.Instant?
        /// What a call's outcome is when it never comes.
        let abandoned: PanelError?
        /// Runs on the script's thread with the outcome.
        let deliver: (Outcome) -> Void
        /// The Swift task making the call, cancelled on a stop.
        var task: Task<Void, Never>?

        init(
            sequence: Int, isWrite: Bool, wakeAt: ContinuousClock.Instant?, abandoned: PanelError?,
            deliver: @escaping (Outcome) -> Void
        ) {
            self.sequence = sequence
            self.isWrite = isWrite
            self.wakeAt = wakeAt
            self.abandoned = abandoned
            self.deliver = deliver
        }
    }

    /// Answers posted by calls finishing on any thread; guarded by the executor's lock.
    final class Mailbox: @unchecked Sendable {
        var items: [(Int, Result<PanelAnswer, PanelError>)] = []
    }

    /// A first-in first-out queue with O(1) pops.
    struct Queue<Element> {
        private var items: [Element] = []
        private var head = 0

        mutating func push(_ item: Element) { items.append(item) }

        func peek() -> Element? { head < items.count ? items[head] : nil }

        mutating func pop() -> Element? {
            guard head < items.count else { return nil }
            let item = items[head]
            head += 1
            if head > 64, head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }
}
