import Foundation
import Hummingbird
import Logging
import PanelEmulator
import Synchronization

/// An HTTP receiver on 127.0.0.1 and a free port, started by a test: it records every
/// request (method, path with query, body) and answers each as `answer` says, after its
/// delay and once `hold` returns, with the body `body` gives (none by default). Shared by the test targets that
/// deliver notifications, and stands in for a panel's endpoints (a JSON body).
public final class HTTPReceiver: Sendable {
    /// One request as it arrived.
    public struct Received: Sendable, Equatable {
        /// `POST`, `GET`.
        public var method: String
        /// The path with its query.
        public var uri: String
        /// The body as text.
        public var body: String
    }

    /// The secret part of the URLs (as in Slack's hook URLs and healthchecks.io's UUIDs).
    public static let secretPath = "/hooks/T0NIGHT/B0SHIFT/s3cr3t-t0ken-4242"

    /// The port it listens on.
    public let port: Int
    private let box: Box
    private let server: Task<Void, any Error>

    /// The URL to configure: the secret path on this receiver.
    public var url: String { "http://127.0.0.1:\(port)\(Self.secretPath)" }
    /// Every request so far, in arrival order.
    public var received: [Received] { box.requests.withLock { $0 } }

    private init(port: Int, box: Box, server: Task<Void, any Error>) {
        self.port = port
        self.box = box
        self.server = server
    }

    /// Starts a receiver; `answer` gets the request's number (1 for the first) and gives the
    /// status and how long to wait before answering; `hold`, given the number too, is awaited
    /// before answering, so that a test can hold an answer until an event rather than a time.
    public static func start(
        _ answer: @escaping @Sendable (Int) -> (HTTPResponse.Status, Duration) = { _ in (.ok, .zero) },
        body: @escaping @Sendable (Received) -> String? = { _ in nil },
        hold: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> HTTPReceiver {
        let box = Box()
        let router = Router()
        router.on("/**", method: .post) { request, _ in
            try await handle(request, box: box, body: body, answer: answer, hold: hold)
        }
        router.on("/**", method: .get) { request, _ in
            try await handle(request, box: box, body: body, answer: answer, hold: hold)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test.receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.runService() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw Failure() }
        return HTTPReceiver(port: port, box: box, server: server)
    }

    private static func handle(
        _ request: Request, box: Box, body makeBody: @Sendable (Received) -> String?,
        answer: @Sendable (Int) -> (HTTPResponse.Status, Duration), hold: @Sendable (Int) async -> Void
    ) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        let received = Received(method: request.method.rawValue, uri: request.uri.description, body: String(buffer: body))
        let number = box.requests.withLock { requests in
            requests.append(received)
            return requests.count
        }
        let (status, delay) = answer(number)
        if delay > .zero { try await Task.sleep(for: delay) }
        await hold(number)
        guard let text = makeBody(received) else { return Response(status: status) }
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Stops the server (a request still waiting is cut off).
    public func stop() { server.cancel() }

    /// The receiver could not start.
    public struct Failure: Error {}

    private final class Box: Sendable {
        let requests = Mutex<[Received]>([])
    }
}

/// The receiver's secret path on a port that refuses connections.
public func refusingURL() throws -> String {
    "http://127.0.0.1:\(try PanelEmulator.closedPort())\(HTTPReceiver.secretPath)"
}
