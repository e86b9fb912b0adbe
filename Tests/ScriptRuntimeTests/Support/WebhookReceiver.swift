import Foundation
import Hummingbird
import Logging
import Synchronization

/// A webhook receiver on 127.0.0.1 and a free port, started by the test: it records every
/// body POSTed to its secret path and answers with `status`, after `delay`.
final class WebhookReceiver: Sendable {
    /// The part of the URL that is a secret (as in Slack's hook URLs).
    static let secretPath = "/hooks/T0NIGHT/B0SHIFT/s3cr3t-t0ken-4242"

    let port: Int
    private let store: Store
    private let server: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)\(Self.secretPath)" }
    var received: [String] { store.bodies.withLock { $0 } }

    private init(port: Int, store: Store, server: Task<Void, any Error>) {
        self.port = port
        self.store = store
        self.server = server
    }

    static func start(status: HTTPResponse.Status = .ok, delay: Duration = .zero) async throws -> WebhookReceiver {
        let store = Store()
        let router = Router()
        router.post(RouterPath(Self.secretPath)) { request, _ -> HTTPResponse.Status in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            store.bodies.withLock { $0.append(String(buffer: body)) }
            if delay > .zero { try await Task.sleep(for: delay) }
            return status
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        // Quiet: stopping by cancellation is how every test ends it.
        var logger = Logger(label: "test.webhook")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.runService() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw Failure() }
        return WebhookReceiver(port: port, store: store, server: server)
    }

    func stop() { server.cancel() }

    struct Failure: Error {}

    private final class Store: Sendable {
        let bodies = Mutex<[String]>([])
    }
}
