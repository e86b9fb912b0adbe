import Foundation
import PanelAPI
import PanelEmulator
import Testing

@Suite("Politeness: concurrency, rate and the gate's order")
struct ConcurrencyLimitTests {
    @Test("no more than `concurrency` requests are at the transport at once")
    func concurrencyHolds() async throws {
        let transport = HeldTransport()
        let client = try Fixture.politeClient(transport, concurrency: 3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in 1...12 { group.addTask { try await client.addCredits(.id(id), 1) } }
            // Every call is either at the transport or in line at the gate, which lets none
            // go before one of those held is answered.
            await HeldTransport.until { transport.received.count + client.gate.waiting == 12 }
            #expect(transport.received.count == 3)
            #expect(client.gate.waiting == 9)
            while transport.received.count < 12 || transport.holding > 0 {
                transport.releaseOne()
                await Task.yield()
            }
            try await group.waitForAll()
        }
        #expect(transport.maxConcurrent == 3)
        #expect(transport.received.count == 12)
        #expect(client.gate.inFlight == 0)
    }

    @Test("waiting calls are sent first come, first served")
    func fifo() async throws {
        let transport = HeldTransport()
        let client = try Fixture.politeClient(transport, concurrency: 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.addCredits(.id(1), 1) }
            await HeldTransport.until { transport.holding == 1 }
            // Each call is in line at the gate before the next starts, so the queue order is
            // 2, 3, 4, 5.
            for id in 2...5 {
                group.addTask { try await client.addCredits(.id(id), 1) }
                await HeldTransport.until { client.gate.waiting == id - 1 }
            }
            transport.releaseAll()
            while transport.received.count < 5 || transport.holding > 0 {
                transport.releaseAll()
                await Task.yield()
            }
            try await group.waitForAll()
        }
        let ids = transport.received.map { $0.split(separator: "id=").last.map { String($0.prefix { $0.isNumber }) } ?? "" }
        #expect(ids == ["1", "2", "3", "4", "5"])
    }

    @Test("at rate 20, starts are exactly 1/rate (50 ms) apart")
    func ratePacing() async throws {
        let clock = TestClock()
        let transport = TimedStubTransport(now: clock.readNow) { _, _ in HeldTransport.ok }
        let client = try Fixture.politeClient(transport, concurrency: 8, rate: 20, clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in 1...41 { group.addTask { try await client.addCredits(.id(id), 1) } }
            await clock.paceStarts(41) { transport.callCount }
            try await group.waitForAll()
        }
        // Arrival times on the test's clock, which moves only to the instants the gate asks for.
        let arrivals = transport.arrivals
        #expect(arrivals.first == clock.start)
        #expect(zip(arrivals, arrivals.dropFirst()).map { $1 - $0 } == Array(repeating: .milliseconds(50), count: 40))
    }

    @Test("the token bucket holds one token: after an idle moment, only one request starts at once")
    func noBurstAfterIdle() throws {
        let clock = TestClock()
        let gate = clock.gate(concurrency: 8, rate: 5)
        gate.leave(try #require(gate.tryEnter()))
        // Idle for six intervals: a bucket holding more than one token would now allow a burst.
        clock.advance(by: .milliseconds(1200))
        let afterIdle = try #require(gate.tryEnter())
        #expect(gate.tryEnter() == nil)
        // One interval later, the next.
        clock.advance(by: .milliseconds(200))
        let next = try #require(gate.tryEnter())
        gate.leave(afterIdle)
        gate.leave(next)
        #expect(gate.inFlight == 0)
    }
}

@Suite("Cancellation: nothing is sent after a stop, and writes in flight finish")
struct CancellationTests {
    static let stoppedBeforeSending = "stopped before sending; nothing was sent"

    @Test("a call whose task is cancelled while it waits for a slot sends nothing and says so")
    func cancelledWaitingForSlot() async throws {
        let transport = HeldTransport()
        let client = try Fixture.politeClient(transport, concurrency: 1)
        let first = Task { try await client.addCredits(.id(1), 1) }
        await HeldTransport.until { transport.holding == 1 }
        let waiting = Task { try await client.addCredits(.id(2), 1) }
        await HeldTransport.until { client.gate.waiting == 1 }
        waiting.cancel()
        let error = await #expect(throws: PanelError.self) { try await waiting.value }
        #expect(error?.kind == .transport)
        #expect(error?.detail == Self.stoppedBeforeSending)
        transport.releaseAll()
        _ = try await first.value
        #expect(transport.received.count == 1)
        #expect(client.gate.inFlight == 0)
    }

    @Test("a call whose task is cancelled while it waits for a rate token sends nothing and says so")
    func cancelledWaitingForToken() async throws {
        let transport = TimedStubTransport { _, _ in HeldTransport.ok }
        let client = try Fixture.politeClient(transport, rate: 0.001)
        try await client.addCredits(.id(1), 1)
        let waiting = Task { try await client.addCredits(.id(2), 1) }
        // First in line, asleep until its token (in 1000 s).
        await HeldTransport.until { client.gate.waiting == 1 }
        waiting.cancel()
        let error = await #expect(throws: PanelError.self) { try await waiting.value }
        #expect(error?.kind == .transport && error?.detail == Self.stoppedBeforeSending)
        #expect(transport.callCount == 1)
    }

    @Test("a call whose task is cancelled during the shared backoff sends nothing and says so")
    func cancelledDuringBackoff() async throws {
        let transport = TimedStubTransport { _, _ in TimedStubTransport.status(429, retryAfter: "30") }
        let client = try Fixture.politeClient(transport)
        let overloaded = Task { () async throws(PanelError) -> [Reseller] in try await client.list() }
        await HeldTransport.until { client.gate.backoffUntil != nil }
        let waiting = Task { try await client.addCredits(.id(2), 1) }
        // Both in line: the read to be sent again and the new call.
        await HeldTransport.until { client.gate.waiting == 2 }
        waiting.cancel()
        overloaded.cancel()
        let error = await #expect(throws: PanelError.self) { try await waiting.value }
        #expect(error?.kind == .transport && error?.detail == Self.stoppedBeforeSending)
        _ = await #expect(throws: PanelError.self) { try await overloaded.value }
        #expect(transport.callCount == 1)
    }

    @Test("a call whose task was cancelled before it started sends nothing and says so")
    func cancelledBeforeStart() async throws {
        let transport = TimedStubTransport { _, _ in HeldTransport.ok }
        let client = try Fixture.politeClient(transport)
        let task = Task {
            while !Task.isCancelled { await Task.yield() }
            return try await client.addCredits(.id(1), 1)
        }
        task.cancel()
        let error = await #expect(throws: PanelError.self) { try await task.value }
        #expect(error?.kind == .transport && error?.detail == Self.stoppedBeforeSending)
        #expect(transport.callCount == 0)
        #expect(client.gate.inFlight == 0)
    }

    @Test("a write answered 429 and cancelled before it is sent again says nothing was applied")
    func cancelledBetweenResends() async throws {
        let transport = TimedStubTransport { _, _ in TimedStubTransport.status(429, retryAfter: "30") }
        let client = try Fixture.politeClient(transport)
        let write = Task { try await client.addCredits(.id(1), 5) }
        await HeldTransport.until { client.gate.backoffUntil != nil }
        write.cancel()
        let error = await #expect(throws: PanelError.self) { try await write.value }
        #expect(error?.kind == .transport)
        #expect(error?.detail == "stopped before sending again after HTTP 429; nothing was applied")
        #expect(transport.callCount == 1)
    }

    /// An emulator whose latency lasts until the test releases it, the latency, and the first
    /// reseller's credits before the test.
    static func slowEmulator() async throws -> (PanelEmulator, HeldSleep, Int) {
        let latency = HeldSleep()
        let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(latency: .milliseconds(300)), latency: latency)
        return (emulator, latency, try #require(try await emulator.store.all().first).credits)
    }

    /// Adds 7 credits to reseller 1 from a task, cancels the task while the emulator holds the
    /// write, then lets the emulator answer, and returns the write's reply.
    static func cancelWhileInFlight(_ client: PanelClient, _ latency: HeldSleep) async throws -> PanelReply {
        let write = Task { try await client.addCredits(.id(1), 7) }
        await HeldTransport.until { latency.sleeping == 1 }
        write.cancel()
        latency.release()
        return try await write.value
    }

    @Test("a write handed to the in-process transport runs to its real answer when its task is cancelled")
    func writeInFlightNotCancelledInProcess() async throws {
        let (emulator, latency, before) = try await Self.slowEmulator()
        let reply = try await Self.cancelWhileInFlight(try Fixture.politeClient(InProcessTransport(emulator: emulator)), latency)
        #expect(reply.body["result"] == .bool(true))
        #expect(try await emulator.store.all().first?.credits == before + 7)
    }

    @Test("a write handed to the HTTP transport runs to its real answer when its task is cancelled")
    func writeInFlightNotCancelledOverHTTP() async throws {
        let (emulator, latency, before) = try await Self.slowEmulator()
        try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (client, http) = try EmulatorTests.httpClient(port: port)
            defer { Task { try? await http.shutdown() } }
            #expect(try await Self.cancelWhileInFlight(client, latency).body["result"] == .bool(true))
        }
        #expect(try await emulator.store.all().first?.credits == before + 7)
    }

    @Test("a read handed to the HTTP transport is abandoned when its task is cancelled: it ends while the panel still holds it")
    func readInFlightAbandoned() async throws {
        // The panel answers only once the test ends its latency.
        let latency = HeldSleep()
        let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(latency: .seconds(3)), latency: latency)
        try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            // A timeout far beyond the test's waits: only the cancellation can end the call.
            let (client, http) = try EmulatorTests.httpClient(port: port, timeout: .seconds(600))
            defer { Task { try? await http.shutdown() } }
            let ended = Shared(false)
            let read = Task { () async throws(PanelError) -> [Reseller] in
                defer { ended.set(true) }
                return try await client.list()
            }
            await HeldTransport.until { latency.sleeping == 1 }
            read.cancel()
            // Abandoned, not waited for: the call ends while the panel still holds the read.
            await HeldTransport.until { ended.value }
            #expect(emulator.statistics.inFlight == 1)
            latency.release()
            let error = await #expect(throws: PanelError.self) { try await read.value }
            #expect(error?.kind == .transport)
        }
    }
}
