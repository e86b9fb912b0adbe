import Foundation
import PanelAPI
import Testing

@Suite("Overload: 429 and 503 slow the whole client down")
struct OverloadTests {
    static let list = TimedStubTransport.status(200, "[]")

    /// Makes `call` with a client whose panel answers every request 429 and whose policy allows
    /// `attempts` (1 to 2 ms apart), and expects it to give up after that many requests: a
    /// transport error saying `detail`.
    static func expectGivesUp(
        after attempts: Int, saying detail: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ call: (PanelClient) async throws -> Void
    ) async throws {
        let transport = TimedStubTransport { _, _ in TimedStubTransport.status(429) }
        let client = try Fixture.politeClient(
            transport, overload: OverloadPolicy(maxAttempts: attempts, initialDelay: .milliseconds(1), maxDelay: .milliseconds(2)))
        let error = await #expect(throws: PanelError.self, sourceLocation: sourceLocation) { try await call(client) }
        #expect(error?.kind == .transport, sourceLocation: sourceLocation)
        #expect(error?.detail == detail, sourceLocation: sourceLocation)
        #expect(transport.callCount == attempts, sourceLocation: sourceLocation)
    }

    @Test("a write answered 429 is sent again after the backoff and succeeds")
    func writeResentAfter429() async throws {
        let transport = TimedStubTransport { call, _ in call == 1 ? TimedStubTransport.status(429) : HeldTransport.ok }
        let client = try Fixture.politeClient(transport)
        let reply = try await client.addCredits(.id(1), 5)
        #expect(reply.body["result"] == .bool(true))
        #expect(transport.callCount == 2)
    }

    @Test("a write answered 429 every time gives up: panel overloaded, nothing was applied")
    func writeGivesUp() async throws {
        try await Self.expectGivesUp(after: 3, saying: "panel overloaded (HTTP 429); nothing was applied") {
            _ = try await $0.addCredits(.id(1), 5)
        }
    }

    @Test("a write answered 503 is outcome unknown and not sent again")
    func write503Unknown() async throws {
        let transport = TimedStubTransport { _, _ in TimedStubTransport.status(503, "<h1>Service Unavailable</h1>") }
        let client = try Fixture.politeClient(transport)
        let error = await #expect(throws: PanelError.self) { try await client.addCredits(.id(1), 5) }
        #expect(error?.kind == .outcomeUnknown)
        #expect(transport.callCount == 1)
    }

    @Test("a read answered 429 or 503 is sent again after the backoff", arguments: [429, 503])
    func readRetried(status: Int) async throws {
        let transport = TimedStubTransport { call, _ in call <= 2 ? TimedStubTransport.status(status) : Self.list }
        let client = try Fixture.politeClient(transport)
        #expect(try await client.list().isEmpty)
        #expect(transport.callCount == 3)
    }

    @Test("a read answered 429 every time gives up after the policy's attempts")
    func readGivesUp() async throws {
        try await Self.expectGivesUp(after: 4, saying: "panel overloaded (HTTP 429); gave up after 4 attempts") {
            _ = try await $0.list()
        }
    }

    @Test("Retry-After in seconds holds back every request of the client, not only the answered one")
    func retryAfterShared() async throws {
        let clock = TestClock()
        let transport = TimedStubTransport(now: clock.readNow) { call, request in
            call == 1 ? TimedStubTransport.status(429, retryAfter: "1") : request.url.hasSuffix("list") ? Self.list : HeldTransport.ok
        }
        let client = try Fixture.politeClient(transport, clock: clock)
        let overloaded = Task { try await client.list() }
        await HeldTransport.until { client.gate.backoffUntil != nil }
        let write = Task { try await client.addCredits(.id(1), 1) }
        // The read to be sent again and the write both wait, one of them asleep on the clock
        // until the backoff ends: then the clock moves there (and any later sleep ends at once).
        await HeldTransport.until { client.gate.waiting == 2 && clock.sleepers == 1 }
        #expect(transport.callCount == 1)
        clock.runFree()
        _ = try await write.value
        _ = try await overloaded.value
        let arrivals = transport.arrivals
        #expect(arrivals.count == 3)
        // Both later requests waited for the backoff the first answer started (on the test's
        // clock, which moved only to the instant the gate asked for).
        #expect(arrivals[1] - arrivals[0] >= .seconds(1))
        #expect(arrivals[2] - arrivals[0] >= .seconds(1))
    }

    @Test("a Retry-After longer than the policy allows is not waited for")
    func retryAfterTooLong() async throws {
        let transport = TimedStubTransport { _, _ in TimedStubTransport.status(429, retryAfter: "3600") }
        let client = try Fixture.politeClient(transport)
        let error = await #expect(throws: PanelError.self) { try await client.addCredits(.id(1), 5) }
        #expect(error?.kind == .transport)
        #expect(error?.detail?.hasSuffix("nothing was applied") == true)
        #expect(transport.callCount == 1)
    }

    @Test("each backoff is logged at info level with the endpoint and the delay, never the key")
    func backoffLogged() async throws {
        let capture = LogCapture()
        let transport = TimedStubTransport { call, _ in call == 1 ? TimedStubTransport.status(429) : HeldTransport.ok }
        let client = try Fixture.politeClient(transport, logger: capture.logger)
        try await client.addCredits(.id(1), 5)
        let line = try #require(capture.text.split(separator: "\n").first { $0.hasPrefix("info") })
        #expect(line.contains("resellers.add_credits"))
        #expect(line.contains("delay"))
        #expect(!capture.text.contains(Fixture.key))
    }

    @Test("backoff ceilings double from the initial delay up to the cap")
    func ceilings() {
        let policy = OverloadPolicy(initialDelay: .milliseconds(500), maxDelay: .seconds(3))
        #expect((1...5).map(policy.ceiling(streak:)) == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3)])
    }

    @Test("answers to requests already in flight do not raise the backoff again")
    func oneBackoffPerBurst() async throws {
        // A clock that does not move: each answer's backoff counts from the same instant.
        let gate = TestClock().gate(concurrency: 4)
        let policy = OverloadPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(60))
        let tickets = (0..<4).compactMap { _ in gate.tryEnter() }
        #expect(tickets.count == 4)
        let backoffs = tickets.map { gate.leaveOverloaded($0, retryAfter: nil, policy: policy) }
        // One backoff with a 100 ms ceiling, which the later answers leave as it is; not one
        // raised towards 800 ms by four answers.
        #expect(backoffs[0] <= .milliseconds(100))
        #expect(backoffs.allSatisfy { $0 == backoffs[0] }, "\(backoffs)")
    }
}

@Suite("Retry-After is read as seconds or an HTTP date")
struct RetryAfterTests {
    @Test("delay-seconds")
    func seconds() {
        #expect(RetryAfter.parse("120", now: 0) == .seconds(120))
        #expect(RetryAfter.parse(" 1 ", now: 0) == .seconds(1))
    }

    @Test("an HTTP date counts from now, and a past date means no wait")
    func date() {
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777 seconds after 1970.
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_767) == .seconds(10))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_800) == .zero)
    }

    @Test("anything else is ignored")
    func garbage() {
        #expect(RetryAfter.parse("soon", now: 0) == nil)
        #expect(RetryAfter.parse("-5", now: 0) == nil)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 PST", now: 0) == nil)
    }
}
