import Foundation
import PanelAPI
import PanelEmulator
import Testing

@Suite("An unreachable panel fails fast and says why")
struct UnreachableTests {
    /// A client with the default read retry policy (3 attempts, 200 ms then 400 ms apart),
    /// whose waits between attempts are noted in `waits` instead of slept.
    static func client(port: Int, capture: LogCapture, waits: HeldSleep) throws -> (PanelClient, HTTPTransport) {
        PanelClient.http(
            configuration: PanelConfiguration(
                baseURL: try PanelURL("http://127.0.0.1:\(port)/"), apiKey: APIKey(Fixture.key), keyPlacement: .pathSegment,
                timeout: .seconds(30), retry: PanelRetryPolicy(sleep: waits.sleep)),
            logger: capture.logger)
    }

    /// Makes `call` with a client of `port`; returns the error it must throw and the waits
    /// between attempts the retry policy asked for.
    static func failure(
        port: Int, capture: LogCapture, _ call: @escaping @Sendable (PanelClient) async throws -> Void
    ) async throws -> (PanelError?, [Duration]) {
        let waits = HeldSleep(holding: false)
        let (client, http) = try Self.client(port: port, capture: capture, waits: waits)
        defer { Task { try? await http.shutdown() } }
        let error = await #expect(throws: PanelError.self) { try await call(client) }
        return (error, waits.durations)
    }

    /// Attempts handed to the transport, from the client's debug log.
    static func attempts(_ capture: LogCapture) -> Int {
        capture.text.split(separator: "\n").filter { $0.hasPrefix("debug panel call [") }.count
    }

    @Test("a read from a refused port fails after the read retry policy's 3 attempts, 200 ms and 400 ms apart, naming the cause, host and port")
    func readRefused() async throws {
        let port = try PanelEmulator.closedPort()
        let capture = LogCapture()
        let (error, waits) = try await Self.failure(port: port, capture: capture) { _ = try await $0.list() }
        #expect(error?.kind == .transport)
        #expect(error?.description == "resellers.list: transport failure: panel unreachable: connection refused (127.0.0.1:\(port)); nothing was sent")
        // Three attempts, and only the policy's waits between them: each attempt was refused,
        // none waited for the 30 s timeout.
        #expect(waits == [.milliseconds(200), .milliseconds(400)])
        #expect(Self.attempts(capture) == 3)
        #expect(!capture.text.contains(Fixture.key) && !(error?.description.contains("api/") ?? true))
    }

    @Test("a write to a refused port is not sent and fails at once: one attempt, no wait")
    func writeRefused() async throws {
        let port = try PanelEmulator.closedPort()
        let capture = LogCapture()
        let (error, waits) = try await Self.failure(port: port, capture: capture) { _ = try await $0.addCredits(.id(1), 5) }
        #expect(waits.isEmpty)
        #expect(error?.kind == .transport)
        #expect(error?.detail == "panel unreachable: connection refused (127.0.0.1:\(port)); nothing was sent")
        #expect(Self.attempts(capture) == 1)
    }

    @Test("a transport shut down before its first request refuses it as not sent")
    func sendAfterShutdownBeforeUse() async throws {
        // The client and its thread are made on the first request, so this one never had any.
        let transport = HTTPTransport(logger: LogCapture().logger)
        try await transport.shutdown()
        let request = TransportRequest(
            url: "http://127.0.0.1:9/api/x", redactedURL: "http://127.0.0.1:9/…", path: "/api/x", body: [],
            timeout: .seconds(1), maxResponseBytes: 1024)
        await #expect(throws: TransportFailure.notSent(reason: "invalid request or client shut down")) {
            _ = try await transport.send(request)
        }
        #expect(throws: TransportFailure.self) { _ = try transport.executor }
    }
}
