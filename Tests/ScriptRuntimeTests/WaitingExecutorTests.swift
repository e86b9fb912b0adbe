import Dispatch
import Foundation
import Testing

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

/// Runs `body` on a new plain thread (not a Swift-concurrency one) and returns its result.
private func onPlainThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

/// A value set once from any thread.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value: pthread_t?
    func set(_ thread: pthread_t) { lock.withLock { value = thread } }
    var thread: pthread_t? { lock.withLock { value } }
}

@Suite("a panel call waited for on the script's thread")
struct WaitingExecutorTests {
    @Test("a call that never suspends finishes before wait returns, on the waiting thread")
    func inline() async {
        let ran = Flag()
        let (waiter, answer) = await onPlainThread { () -> (pthread_t, Int?) in
            let result = WaitingExecutor().wait { () async -> Int in
                ran.set(pthread_self())
                return 42
            }
            return (pthread_self(), try? result?.get())
        }
        #expect(answer == 42)
        #expect(ran.thread.map { pthread_equal($0, waiter) != 0 } == true)
    }

    @Test("after a suspension resumed from another thread, the call goes on on the waiting thread")
    func resumesOnWaiter() async {
        let after = Flag()
        let (waiter, answer) = await onPlainThread { () -> (pthread_t, String?) in
            let result = WaitingExecutor().wait { () async -> String in
                let word = await withCheckedContinuation { continuation in
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(30)) {
                        continuation.resume(returning: "late")
                    }
                }
                after.set(pthread_self())
                return word
            }
            return (pthread_self(), try? result?.get())
        }
        #expect(answer == "late")
        #expect(after.thread.map { pthread_equal($0, waiter) != 0 } == true)
    }

    @Test("errors thrown by the call come back as failures")
    func failure() async {
        struct Refused: Error {}
        let failed = await onPlainThread { () -> Bool in
            guard case .failure(let error) = WaitingExecutor().wait({ () async throws -> Int in throw Refused() }) else {
                return false
            }
            return error is Refused
        }
        #expect(failed)
    }

    @Test("giving up returns nil while the call is suspended, and the abandoned call still finishes elsewhere")
    func abandoned() async {
        let parked = Parked()
        let finished = DispatchSemaphore(value: 0)
        let gaveUp = await onPlainThread { () -> Bool in
            // Give up as soon as the call is suspended, waiting for `parked` to be resumed.
            let result = WaitingExecutor().wait(giveUp: { parked.isWaiting }) { () async -> Int in
                let value = await withCheckedContinuation { parked.park($0) }
                finished.signal()
                return value
            }
            return result == nil
        }
        #expect(gaveUp)
        // Nobody waits any more: the rest of the call must run on the global executor.
        parked.resume(7)
        let done = await onPlainThread { finished.wait(timeout: .now() + 30) == .success }
        #expect(done)
    }
}

/// A continuation parked by the call under test, resumed by the test.
private final class Parked: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Int, Never>?
    func park(_ continuation: CheckedContinuation<Int, Never>) { lock.withLock { self.continuation = continuation } }
    var isWaiting: Bool { lock.withLock { continuation != nil } }
    func resume(_ value: Int) { lock.withLock { continuation }?.resume(returning: value) }
}
