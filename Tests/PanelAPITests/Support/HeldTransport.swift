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
        base: String = "http://panel.example:8000/", timeout: Duration = .seconds(30), logger: Logger = Fixture.quiet
    ) throws -> PanelClient {
        PanelClient(
            configuration: PanelConfiguration(
                baseURL: try PanelURL(base), apiKey: APIKey(Fixture.key), timeout: timeout,
                retry: RetryPolicy(sleep: { _ in }), concurrency: concurrency, rate: rate, overload: overload),
            transport: transport, logger: logger)
    }
}

extension Fixture {
    /// Runs `body` on a thread of its own, and hands it another for a server: tests that
    /// measure time must not depend on Swift's shared cooperative pool, which tests running
    /// in parallel (a Lua VM busy for seconds, blocking waits) can keep busy. Child tasks,
    /// their sleeps and the client's gate all run on the body's thread.
    static func onOwnThreads<T: Sendable>(_ body: (_ serverLoop: any EventLoopGroup) async throws -> T) async throws -> T {
        let clientLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let serverLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let result: Result<T, any Error>
        do {
            result = .success(try await withTaskExecutorPreference(EventLoopExecutor(clientLoop.next())) { try await body(serverLoop) })
        } catch {
            result = .failure(error)
        }
        try await clientLoop.shutdownGracefully()
        try await serverLoop.shutdownGracefully()
        return try result.get()
    }
}
