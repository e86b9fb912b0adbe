import Foundation
import Logging
import PanelAPI
import Synchronization
import Testing

/// A transport that holds every request until the test releases it, counting how many it
/// holds at once; answers come from `answer` (200 `{"result":true}` by default).
final class HeldTransport: PanelTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var held: [CheckedContinuation<Void, Never>] = []
    private var current = 0
    private var maximum = 0
    private var sent: [String] = []
    private let answer: @Sendable (Int) -> TransportResponse

    init(answer: @escaping @Sendable (Int) -> TransportResponse = { _ in HeldTransport.ok }) {
        self.answer = answer
    }

    static let ok = TransportResponse(status: 200, contentType: "text/html", body: Array(#"{"result":true}"#.utf8))

    /// Requests received so far, in order, as their redacted URL plus body.
    var received: [String] { lock.withLock { sent } }
    /// Requests being held now.
    var holding: Int { lock.withLock { held.count } }
    /// The most requests in the transport at once.
    var maxConcurrent: Int { lock.withLock { maximum } }

    func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
        let index: Int = lock.withLock {
            sent.append(request.redactedURL + "?" + String(decoding: request.body, as: UTF8.self))
            current += 1
            maximum = max(maximum, current)
            return sent.count
        }
        await withCheckedContinuation { continuation in
            lock.withLock { held.append(continuation) }
        }
        lock.withLock { current -= 1 }
        return answer(index)
    }

    /// Releases the oldest held request.
    func releaseOne() {
        let next: CheckedContinuation<Void, Never>? = lock.withLock { held.isEmpty ? nil : held.removeFirst() }
        next?.resume()
    }

    /// Releases everything held, now and later.
    func releaseAll() {
        let all: [CheckedContinuation<Void, Never>] = lock.withLock {
            defer { held.removeAll() }
            return held
        }
        for continuation in all { continuation.resume() }
    }

    /// Waits (polling) until `condition` holds, and returns true. Waits for an event, never
    /// asserts a time: only after five minutes without it (far more than a loaded machine
    /// needs) does it record an issue and return false, so that a test fails rather than hangs.
    @discardableResult
    static func until(_ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async -> Bool {
        let giveUp = ContinuousClock.now + .seconds(300)
        while !condition() {
            guard ContinuousClock.now < giveUp else {
                Issue.record("waited five minutes for a condition that never held", sourceLocation: sourceLocation)
                return false
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return true
    }
}

/// A transport that answers from a list by call number and records when each call arrived,
/// on the continuous clock or on a test's own (`now`).
final class TimedStubTransport: PanelTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var times: [ContinuousClock.Instant] = []
    private let now: RequestGate.Now
    private let answer: @Sendable (Int, TransportRequest) -> TransportResponse

    init(
        now: @escaping RequestGate.Now = { ContinuousClock.now },
        answer: @escaping @Sendable (Int, TransportRequest) -> TransportResponse
    ) {
        self.now = now
        self.answer = answer
    }

    var arrivals: [ContinuousClock.Instant] { lock.withLock { times } }
    var callCount: Int { lock.withLock { times.count } }

    func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
        let index: Int = lock.withLock {
            times.append(now())
            return times.count
        }
        return answer(index, request)
    }

    static func status(_ status: Int, _ body: String = "", retryAfter: String? = nil) -> TransportResponse {
        TransportResponse(status: status, contentType: "text/html", body: Array(body.utf8), retryAfter: retryAfter)
    }
}

extension Fixture {
    /// A client with politeness settings and an overload policy that waits milliseconds; its
    /// gate reads and sleeps on `clock` when one is given.
    static func politeClient(
        _ transport: any PanelTransport, concurrency: Int = 4, rate: Double? = nil,
        overload: OverloadPolicy = OverloadPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(5)),
        base: String = "http://panel.example:8000/", timeout: Duration = .seconds(30), logger: Logger = Fixture.quiet,
        clock: TestClock? = nil
    ) throws -> PanelClient {
        let configuration = PanelConfiguration(
            baseURL: try PanelURL(base), apiKey: APIKey(Fixture.key), timeout: timeout,
            retry: PanelRetryPolicy(sleep: { _ in }), concurrency: concurrency, rate: rate, overload: overload)
        guard let clock else { return PanelClient(configuration: configuration, transport: transport, logger: logger) }
        return PanelClient(
            configuration: configuration, transport: transport, gate: clock.gate(concurrency: concurrency, rate: rate),
            logger: logger)
    }
}

/// A sleep, as the emulator's latency or a retry policy takes it, that notes each duration it
/// is asked for and (when `holding`) keeps every sleeper until the test releases it: shows
/// what was to be waited and who waits at once, without timing anything.
final class HeldSleep: @unchecked Sendable {
    private let lock = NSLock()
    private var held: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var asked: [Duration] = []
    private var maximum = 0
    private var holding: Bool
    private let endsOnCancel: Bool

    /// - Parameters:
    ///   - holding: whether sleepers wait for ``release()``; if not, a sleep only notes its
    ///     duration and returns.
    ///   - endsOnCancel: whether a sleeper whose task is cancelled goes on at once, as from
    ///     the emulator's own `Task.sleep` (a timeout that won cancels the latency it raced).
    init(holding: Bool = true, endsOnCancel: Bool = false) {
        self.holding = holding
        self.endsOnCancel = endsOnCancel
    }

    /// The durations asked for, in order.
    var durations: [Duration] { lock.withLock { asked } }
    /// Sleepers held now.
    var sleeping: Int { lock.withLock { held.count } }
    /// The most sleepers held at once.
    var maxSleeping: Int { lock.withLock { maximum } }

    /// The sleep to inject.
    var sleep: @Sendable (Duration) async -> Void { { [self] duration in await wait(duration) } }

    private func wait(_ duration: Duration) async {
        let id: Int = lock.withLock {
            asked.append(duration)
            return asked.count
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let hold = lock.withLock {
                    // Checked under the lock: either this sees the cancellation, or the
                    // handler below finds the sleeper.
                    guard holding, !(endsOnCancel && Task.isCancelled) else { return false }
                    held.append((id, continuation))
                    maximum = max(maximum, held.count)
                    return true
                }
                if !hold { continuation.resume() }
            }
        } onCancel: {
            guard endsOnCancel else { return }
            let sleeper: CheckedContinuation<Void, Never>? = lock.withLock {
                guard let index = held.firstIndex(where: { $0.id == id }) else { return nil }
                return held.remove(at: index).continuation
            }
            sleeper?.resume()
        }
    }

    /// Wakes every sleeper, and lets later sleeps return at once.
    func release() {
        let all: [CheckedContinuation<Void, Never>] = lock.withLock {
            holding = false
            defer { held.removeAll() }
            return held.map(\.continuation)
        }
        for continuation in all { continuation.resume() }
    }
}

/// A value a test shares with its tasks.
final class Shared<Value: Sendable>: Sendable {
    private let state: Mutex<Value>

    init(_ value: Value) { state = Mutex(value) }

    var value: Value { state.withLock { $0 } }

    func set(_ value: Value) { state.withLock { $0 = value } }
}
