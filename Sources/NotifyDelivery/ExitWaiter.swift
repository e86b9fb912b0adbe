import Synchronization

/// Waits for a command's exit, with a time limit.
final class ExitWaiter: Sendable {
    private let state = Mutex<(status: Int?, waiter: CheckedContinuation<Int?, Never>?)>((nil, nil))

    func finish(_ status: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Int?, Never>? in
            state.status = status
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: status)
    }

    func wait(timeout: Duration) async -> Int? {
        await withTaskGroup(of: Int?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let done = self.state.withLock { state -> Int? in
                        if let status = state.status { return status }
                        state.waiter = continuation
                        return nil
                    }
                    if let done { continuation.resume(returning: done) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if first == nil { self.finish(-1) }
            return first
        }
    }
}
