import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PanelAPI

/// A server that does nothing: plain SwiftNIO HTTP/1.1 that answers every request with one
/// recorded emulator answer. Measured beside the emulator, it shows what the clients cost on
/// their own, and so how far any server could move the PanelAPI / PHP ratio.
final class NullPanelServer {
    private let channel: any Channel

    /// The bound port.
    var port: Int { channel.localAddress?.port ?? 0 }

    /// Listens on 127.0.0.1, a free port, on `group` (the same loop as the other contenders).
    init(answer: TransportResponse, group: any EventLoopGroup) async throws {
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(answer: answer))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async throws {
        try await channel.close()
    }

    /// Answers at the end of each request; closes after the answer when the client asked
    /// for that (PHP's stream wrapper sends `Connection: close`).
    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let answer: TransportResponse
        private var keepAlive = true

        init(answer: TransportResponse) {
            self.answer = answer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                keepAlive = head.isKeepAlive
            case .body:
                break
            case .end:
                var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: answer.status))
                if let contentType = answer.contentType { head.headers.add(name: "Content-Type", value: contentType) }
                head.headers.add(name: "Content-Length", value: String(answer.body.count))
                if !keepAlive { head.headers.add(name: "Connection", value: "close") }
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
                let sent = context.writeAndFlush(wrapOutboundOut(.end(nil)))
                if !keepAlive {
                    let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                    sent.whenComplete { _ in loopBound.value.close(promise: nil) }
                }
            }
        }
    }
}

/// Hummingbird answering every request at once with one recorded emulator answer, served the
/// way the emulator is served (one loop, handlers on it): the emulator's framework without
/// the emulator's work, a floor for any emulator built on Hummingbird.
final class ImmediateHummingbirdServer {
    private let server: Task<Void, any Error>
    /// The bound port.
    let port: Int

    /// Listens on 127.0.0.1, a free port, on the one-thread `group`.
    init(answer: TransportResponse, group: MultiThreadedEventLoopGroup, logger: Logger) async throws {
        let (ports, bound) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: Responder(answer: answer),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                bound.yield(channel.localAddress?.port ?? 0)
                bound.finish()
            },
            eventLoopGroupProvider: .shared(group), logger: logger)
        let executor = EventLoopExecutor(group.next())
        server = Task { try await withTaskExecutorPreference(executor) { try await app.run() } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await server.value
            throw CancellationError()
        }
        self.port = port
    }

    /// Stops the server (Hummingbird shuts down gracefully on cancellation).
    func close() async throws {
        server.cancel()
        try await server.value
    }

    private struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let answer: TransportResponse

        func respond(to request: Request, context: Context) async throws -> Response {
            var request = request
            _ = try await request.collectBody(upTo: 1 << 20)
            var headers = HTTPFields()
            if let contentType = answer.contentType { headers[.contentType] = contentType }
            return Response(
                status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
    }
}
