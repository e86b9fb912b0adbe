import ScriptRuntime
import Synchronization

/// The results of a fleet's runs as they come, each from its own thread: a run that ends,
/// or the watchdog giving up on one stuck in a C call (whose thread never returns, so the
/// fleet cannot simply wait for every thread).
final class FleetResults: Sendable {
    private struct State {
        var results: [RunResult?]
        var stuck = false
        var waiter: CheckedContinuation<Void, Never>?
        var complete: Bool { results.allSatisfy { $0 != nil } }
    }

    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(results: Array(repeating: nil, count: count))) }

    /// Records run `index`'s result; the first one recorded for it wins.
    func set(_ index: Int, _ result: RunResult, stuck: Bool = false) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard state.results[index] == nil else { return nil }
            state.results[index] = result
            if stuck { state.stuck = true }
            guard state.complete else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Every run's result, once each has one; `stuck` when a watchdog gave up on one.
    func all() async -> (results: [RunResult], stuck: Bool) {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if state.complete { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
        return state.withLock { state in (state.results.compactMap { $0 }, state.stuck) }
    }
}
