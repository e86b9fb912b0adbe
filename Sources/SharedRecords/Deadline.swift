import Foundation
import Synchronization

/// Waits for work for at most a given time, without waiting for work that ignores
/// cancellation (a connect to a host that drops packets): the caller goes on, and the work
/// is cancelled and left to end on its own.
enum Deadline {
    /// The time ran out.
    struct Expired: Error, CustomStringConvertible {
        let what: String
        let timeout: Duration
        var description: String {
            let (seconds, attoseconds) = timeout.components
            let tenths = (Double(seconds) + Double(attoseconds) / 1e18) * 10
            return "no answer within \((tenths.rounded() / 10).formatted()) s (\(what))"
        }
    }

    /// `body`'s result, or ``Expired`` once `timeout` has passed.
    static func run<T: Sendable>(
        _ timeout: Duration, describing what: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let gate = Gate<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                gate.arm(continuation)
                let work = Task {
                    do { gate.settle(.success(try await body())) } catch { gate.settle(.failure(error)) }
                }
                let timer = Task {
                    try? await Task.sleep(for: timeout)
                    gate.settle(.failure(Expired(what: what, timeout: timeout)))
                    work.cancel()
                }
                gate.onSettle { timer.cancel() }
            }
        } onCancel: {
            gate.settle(.failure(CancellationError()))
        }
    }

    /// The first outcome wins; the others are dropped.
    private final class Gate<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var early: Result<T, any Error>?
            var settled = false
            var cleanup: (@Sendable () -> Void)?
        }
        private let state = Mutex(State())

        func arm(_ continuation: CheckedContinuation<T, any Error>) {
            let early: Result<T, any Error>? = state.withLock { state in
                if let early = state.early { return early }
                state.continuation = continuation
                return nil
            }
            if let early { continuation.resume(with: early) }
        }

        func onSettle(_ cleanup: @escaping @Sendable () -> Void) {
            let now = state.withLock { state in
                if state.settled { return true }
                state.cleanup = cleanup
                return false
            }
            if now { cleanup() }
        }

        func settle(_ result: Result<T, any Error>) {
            let (continuation, cleanup): (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) = state.withLock {
                state in
                guard !state.settled else { return (nil, nil) }
                state.settled = true
                guard let continuation = state.continuation else {
                    // Cancelled before the continuation existed: resume it when it arrives.
                    state.early = result
                    return (nil, nil)
                }
                state.continuation = nil
                return (continuation, state.cleanup)
            }
            continuation?.resume(with: result)
            cleanup?()
        }
    }
}
