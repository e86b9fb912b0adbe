import Foundation
import Logging
import NIOCore
import NIOPosix
import PanelAPI

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

    /// Waits (yielding) until `condition` holds; a test fails by its own time limit if never.
    static func until(_ condition: () -> Bool) async {
        while !condition() { try? await Task.sleep(for: .milliseconds(2)) }
    }
}

/// A transport that answers from a list by call number and records when each call arrived.
final class TimedStubTransport: PanelTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var times: [ContinuousClock.Instant] = []
    private let answer: @Sendable (Int, TransportRequest) -> TransportResponse

    init(answer: @escaping @Sendable (Int, TransportRequest) -> TransportResponse) { self.answer = answer }

    var arrivals: [ContinuousClock.Instant] { lock.withLock { times } }
    var callCount: Int { lock.withLock { times.count } }

    func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
        let index: Int = lock.withLock {
            times.append(.now)
            return times.count
        }
        return answer(index, request)
    }

    static func status(_ status: Int, _ body: String = "", retryAfter: String? = nil) -> TransportResponse {
        TransportResponse(status: status, contentType: "text/html", body: Array(body.utf8), retryAfter: retryAfter)
    }
}

extension Fixture {
    /// A client with politeness settings and an overload policy that waits milliseconds.
    static func politeClient(
        _ transport: any PanelTransport, concurrency: Int = 4, rate: Double? = nil,
        overload: OverloadPolicy = OverloadPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(5)),
        base: String = "http://panel.example:8000/", timeout: Duration = .seconds(30), logger: Logger = Fixture.quiet,
        gateSleep: RequestGate.Sleep? = nil
    ) throws -> PanelClient {
        let configuration = PanelConfiguration(
            baseURL: try PanelURL(base), apiKey: APIKey(Fixture.key), timeout: timeout,
            retry: PanelRetryPolicy(sleep: { _ in }), concurrency: concurrency, rate: rate, overload: overload)
        guard let gateSleep else { return PanelClient(configuration: configuration, transport: transport, logger: logger) }
        return PanelClient(
            configuration: configuration, transport: transport,
            gate: RequestGate(concurrency: concurrency, rate: rate, sleep: gateSleep), logger: logger)
    }
}

/// Two threads of a test's own: one runs the test's tasks (the client, its gate), the other
/// serves the emulator; sleeps are timers on these threads.
struct OwnThreads: Sendable {
    let clientLoop: any EventLoop
    let serverLoop: any EventLoopGroup

    /// A gate sleep on the client's thread.
    var gateSleep: RequestGate.Sleep {
        let loop = clientLoop
        return { instant in try await OwnThreads.sleep(on: loop, until: instant) }
    }

    /// A retry-policy sleep on the client's thread.
    var retrySleep: @Sendable (Duration) async throws -> Void {
        let loop = clientLoop
        return { duration in try await OwnThreads.sleep(on: loop, until: .now + duration) }
    }

    /// An emulator latency sleep on the server's thread.
    var emulatorSleep: @Sendable (Duration) async -> Void {
        let loop = serverLoop.next()
        return { duration in try? await OwnThreads.sleep(on: loop, until: .now + duration) }
    }

    static func sleep(on loop: any EventLoop, until instant: ContinuousClock.Instant) async throws {
        let delay = ContinuousClock.now.duration(to: instant)
        guard delay > .zero else { return }
        let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        let timer = loop.scheduleTask(in: .nanoseconds(nanoseconds)) {}
        try await withTaskCancellationHandler {
            try await timer.futureResult.get()
        } onCancel: {
            timer.cancel()
        }
    }
}

extension Fixture {
    /// Runs `body` on threads of its own: tests that measure time must not depend on Swift's
    /// shared cooperative pool, which tests running in parallel (a Lua VM busy for seconds,
    /// blocking waits) can keep busy for many seconds, delaying every `Task.sleep` wake-up.
    /// Child tasks run on the client thread; sleeps injected from `threads` are NIO timers.
    static func onOwnThreads<T: Sendable>(_ body: (_ threads: OwnThreads) async throws -> T) async throws -> T {
        let clientLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let serverLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let threads = OwnThreads(clientLoop: clientLoop.next(), serverLoop: serverLoop)
        let result: Result<T, any Error>
        do {
            result = .success(try await withTaskExecutorPreference(EventLoopExecutor(threads.clientLoop)) { try await body(threads) })
        } catch {
            result = .failure(error)
        }
        try await clientLoop.shutdownGracefully()
        try await serverLoop.shutdownGracefully()
        return try result.get()
    }
}
