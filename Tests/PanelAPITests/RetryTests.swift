import Foundation
import PanelAPI
import Testing

@Suite("Reads are retried with backoff; mutations never")
struct RetryTests {
    final class Sleeps: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Duration] = []
        var all: [Duration] { lock.withLock { values } }
        func record(_ d: Duration) { lock.withLock { values.append(d) } }
    }

    static let ok = TransportResponse(status: 200, contentType: "text/html", body: Array("[]".utf8))

    @Test("a read that fails twice succeeds on the third attempt, after 200 ms then 400 ms")
    func readRetried() async throws {
        let sleeps = Sleeps()
        let stub = StubTransport([.failure(.connectionLost(reason: "reset")), .failure(.timedOut(mayHaveBeenSent: true)), .success(Self.ok)])
        let client = try Fixture.client(stub, retry: PanelRetryPolicy(maxAttempts: 3, sleep: { sleeps.record($0) }))
        _ = try await client.list()
        #expect(stub.callCount == 3)
        #expect(sleeps.all == [.milliseconds(200), .milliseconds(400)])
    }

    @Test("a read gives up after the bounded number of attempts")
    func readBounded() async throws {
        let stub = StubTransport([.failure(.connectionLost(reason: "reset"))])
        let client = try Fixture.client(stub, retry: PanelRetryPolicy(maxAttempts: 4, sleep: { _ in }))
        #expect(await PanelError.kind { _ = try await client.list() } == .transport)
        #expect(stub.callCount == 4)
    }

    @Test("a refusal is not retried, even for a read")
    func refusalNotRetried() async throws {
        let stub = StubTransport(body: #"{"result":false,"error":"SOMETHING"}"#)
        let client = try Fixture.client(stub)
        _ = await PanelError.kind { _ = try await client.list() }
        #expect(stub.callCount == 1)
    }

    @Test("a mutation whose connection drops is sent exactly once")
    func mutationNotRetried() async throws {
        let stub = StubTransport([.failure(.connectionLost(reason: "reset")), .success(Self.ok)])
        let client = try Fixture.client(stub, retry: PanelRetryPolicy(maxAttempts: 5, sleep: { _ in }))
        #expect(await PanelError.kind { try await client.addCredits(.id(1), 10) } == .outcomeUnknown)
        #expect(stub.callCount == 1)
    }

    @Test("a generic call is a mutation unless declared a read")
    func genericDefaultsToMutation() async throws {
        let stub = StubTransport([.failure(.connectionLost(reason: "reset")), .success(Self.ok)])
        let client = try Fixture.client(stub)
        #expect(await PanelError.kind { try await client.call(group: "line", action: "create") } == .outcomeUnknown)
        _ = try await client.call(group: "line", action: "list", kind: .read)
        #expect(stub.callCount == 2)
    }
}
