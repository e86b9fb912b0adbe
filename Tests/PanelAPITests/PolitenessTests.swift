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
            await HeldTransport.until { transport.holding == 3 }
            // Nothing more gets through while three are held.
            try await Task.sleep(for: .milliseconds(50))
            #expect(transport.received.count == 3)
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
            // Each call queues before the next starts, so the queue order is 2, 3, 4, 5.
            for id in 2...5 {
                group.addTask { try await client.addCredits(.id(id), 1) }
                try await Task.sleep(for: .milliseconds(20))
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

    @Test("the rate limit holds within 10% over 2 s")
    func ratePacing() async throws {
        let arrivals = try await Fixture.onOwnThreads { threads in
            let transport = TimedStubTransport { _, _ in HeldTransport.ok }
            let client = try Fixture.politeClient(transport, concurrency: 8, rate: 20, gateSleep: threads.gateSleep)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 1...41 { group.addTask { try await client.addCredits(.id(id), 1) } }
                try await group.waitForAll()
            }
            return transport.arrivals
        }
        let seconds = Double((arrivals.last! - arrivals.first!) / .milliseconds(1)) / 1000
        let measured = Double(arrivals.count - 1) / seconds
        #expect(abs(measured - 20) / 20 <= 0.10, "measured \(measured) requests per second")
    }

    @Test("the token bucket holds one token: after an idle moment, only one request starts at once")
    func noBurstAfterIdle() async throws {
        let gate = RequestGate(concurrency: 8, rate: 5)
        gate.leave(try #require(gate.tryEnter()))
        // Idle for six intervals: a bucket holding more than one token would now allow a burst.
        try await Task.sleep(for: .milliseconds(1200))
        let afterIdle = try #require(gate.tryEnter())
        #expect(gate.tryEnter() == nil)
        gate.leave(afterIdle)
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
        try await Task.sleep(for: .milliseconds(30))
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
        try await Task.sleep(for: .milliseconds(30))
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
        try await Task.sleep(for: .milliseconds(30))
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

    /// An emulator that takes 300 ms to answer, and the first reseller's credits before the test.
    static func slowEmulator() async throws -> (PanelEmulator, Int) {
        let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(latency: .milliseconds(300)))
        return (emulator, try #require(try await emulator.store.all().first).credits)
    }

    /// Adds 7 credits to reseller 1 from a task, cancels the task once the write is at the
    /// emulator, and returns the write's reply.
    static func cancelWhileInFlight(_ client: PanelClient, _ emulator: PanelEmulator) async throws -> PanelReply {
        let write = Task { try await client.addCredits(.id(1), 7) }
        await HeldTransport.until { emulator.statistics.inFlight == 1 }
        write.cancel()
        return try await write.value
    }

    @Test("a write handed to the in-process transport runs to its real answer when its task is cancelled")
    func writeInFlightNotCancelledInProcess() async throws {
        let (emulator, before) = try await Self.slowEmulator()
        let reply = try await Self.cancelWhileInFlight(try Fixture.politeClient(InProcessTransport(emulator: emulator)), emulator)
        #expect(reply.body["result"] == .bool(true))
        #expect(try await emulator.store.all().first?.credits == before + 7)
    }

    @Test("a write handed to the HTTP transport runs to its real answer when its task is cancelled")
    func writeInFlightNotCancelledOverHTTP() async throws {
        let (emulator, before) = try await Self.slowEmulator()
        try await emulator.withRunningServer(logger: Fixture.quiet) { port in
            let (client, http) = try EmulatorTests.httpClient(port: port)
            defer { Task { try? await http.shutdown() } }
            #expect(try await Self.cancelWhileInFlight(client, emulator).body["result"] == .bool(true))
        }
        #expect(try await emulator.store.all().first?.credits == before + 7)
    }

    @Test("a read handed to the HTTP transport is abandoned when its task is cancelled")
    func readInFlightAbandoned() async throws {
        let emulator = try await Fixture.emulator(seed: 1, faults: FaultPlan(latency: .seconds(3)))
        try await Fixture.onOwnThreads { threads in
            try await emulator.withRunningServer(eventLoopGroup: threads.serverLoop, logger: Fixture.quiet) { port in
                let (client, http) = try EmulatorTests.httpClient(port: port)
                defer { Task { try? await http.shutdown() } }
                let started = ContinuousClock.now
                // A child task, so it runs on this test's own thread too.
                let error = await withTaskGroup(of: PanelError?.self) { group in
                    group.addTask {
                        do {
                            _ = try await client.list()
                            return nil
                        } catch {
                            return error as? PanelError
                        }
                    }
                    await HeldTransport.until { emulator.statistics.inFlight == 1 }
                    group.cancelAll()
                    return await group.next() ?? nil
                }
                #expect(error?.kind == .transport || error?.kind == .timeout)
                // Abandoned, not waited for: the panel answers after 3 s.
                #expect(ContinuousClock.now - started < .seconds(2))
            }
        }
    }
}
