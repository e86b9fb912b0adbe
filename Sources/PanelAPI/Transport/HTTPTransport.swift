import AsyncHTTPClient
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HTTP and HTTPS over AsyncHTTPClient, with pooled keep-alive connections.
///
/// Each exchange runs on the event loop that does its I/O (see ``EventLoopExecutor``): the
/// caller's task hops there once and back once, however many steps AsyncHTTPClient takes.
/// By default the transport has its own event-loop thread, plenty for a script's calls.
///
/// The thread and the client are made on the first request (or the first read of
/// ``executor``), not in `init`: a run that never calls the panel does not pay for them
/// (about a millisecond of a hello-world run's start-up).
///
/// Create one per process (or per panel) and call ``shutdown()`` when done.
public final class HTTPTransport: PanelTransport {
    /// What the first request makes.
    private struct Connection: Sendable {
        let client: HTTPClient
        let ownsClient: Bool
        let ownedLoop: MultiThreadedEventLoopGroup?
        let executor: EventLoopExecutor
    }

    private enum State: Sendable {
        case notYetMade(@Sendable () -> Connection)
        case open(Connection)
        case shutDown
    }

    private let state: Mutex<State>
    private let logger: Logger

    /// Where exchanges run; a task that prefers it too (`withTaskExecutorPreference`) makes
    /// calls without any thread hop. Reading it makes the client if no request has yet.
    public var executor: EventLoopExecutor {
        get throws(TransportFailure) { try connection().executor }
    }

    /// Creates a transport with its own pooled client, made on the first request.
    ///
    /// - Parameters:
    ///   - connectTimeout: time allowed to open a connection; a call that fails here was
    ///     never sent.
    ///   - eventLoopGroup: NIO threads to run on; a thread of its own by default. Exchanges
    ///     run on one loop of the group.
    ///   - maxConnections: pooled connections to one panel; match the client's
    ///     ``PanelConfiguration/concurrency``, so each request in flight has its own.
    ///   - logger: receives AsyncHTTPClient's own debug output (URLs are never logged by us).
    public init(
        connectTimeout: Duration = .seconds(10), maxConnections: Int = 16, eventLoopGroup: (any EventLoopGroup)? = nil,
        logger: Logger
    ) {
        self.logger = logger
        self.state = Mutex(.notYetMade { Self.connect(connectTimeout, maxConnections, eventLoopGroup) })
    }

    /// Uses an existing client, which the caller shuts down.
    public init(client: HTTPClient, logger: Logger) {
        self.logger = logger
        self.state = Mutex(
            .open(
                Connection(
                    client: client, ownsClient: false, ownedLoop: nil,
                    executor: EventLoopExecutor(client.eventLoopGroup.next()))))
    }

    private static func connect(
        _ connectTimeout: Duration, _ maxConnections: Int, _ eventLoopGroup: (any EventLoopGroup)?
    ) -> Connection {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: TimeAmount(connectTimeout))
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        // No distributed tracing here: without this, every request starts a (no-op) span.
        configuration.tracing.tracer = nil
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnections))
        // By default the pool retries a failed connect with backoff until the request's
        // deadline, so a wrong port looked like a panel that never answers. Off, a refused
        // connection fails the waiting requests at once, as "not sent"; the client's read
        // retry policy decides what happens next.
        configuration.connectionPool.retryConnectionEstablishment = false
        let ownedLoop = eventLoopGroup == nil ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        let group: any EventLoopGroup = eventLoopGroup ?? ownedLoop!
        return Connection(
            client: HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration),
            ownsClient: true, ownedLoop: ownedLoop, executor: EventLoopExecutor(group.next()))
    }

    /// The client, made now if this is the first use; after ``shutdown()``, a request is
    /// refused as not sent.
    private func connection() throws(TransportFailure) -> Connection {
        let made: Connection? = state.withLock { state in
            switch state {
            case .open(let connection):
                return connection
            case .notYetMade(let make):
                let connection = make()
                state = .open(connection)
                return connection
            case .shutDown:
                return nil
            }
        }
        guard let made else { throw .notSent(reason: "invalid request or client shut down") }
        return made
    }

    /// Closes pooled connections and stops the transport's own thread; call once, after the
    /// last request. A transport that never made its client has nothing to stop.
    public func shutdown() async throws {
        let made: Connection? = state.withLock { state in
            defer { state = .shutDown }
            if case .open(let connection) = state { return connection }
            return nil
        }
        guard let made else { return }
        if made.ownsClient { try await made.client.shutdown() }
        try await made.ownedLoop?.shutdownGracefully()
    }

    /// Sends one POST with the form body.
    public func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
        let connection = try connection()
        return try await withTaskExecutorPreference(connection.executor) {
            () async throws(TransportFailure) -> TransportResponse in
            try await exchange(request, on: connection)
        }
    }

    private func exchange(
        _ request: TransportRequest, on connection: Connection
    ) async throws(TransportFailure) -> TransportResponse {
        let client = connection.client
        let executor = connection.executor
        var http: HTTPClient.Request
        do {
            http = try HTTPClient.Request(url: request.url, method: .POST)
        } catch {
            throw Self.classify(error, target: "")
        }
        let target = http.host.contains(":") ? "[\(http.host)]:\(http.port)" : "\(http.host):\(http.port)"
        http.headers.add(name: "Content-Type", value: TransportRequest.contentType)
        http.headers.add(name: "User-Agent", value: "nightshift")
        http.body = .bytes(request.body)
        // AsyncHTTPClient's future API: unlike `execute(_:deadline:logger:)` it starts no Swift
        // task per request, whose wake-up on the global pool cost a fifth of a loopback call.
        // `.delegate(on:)` keeps connections pooled; `.delegateAndChannel(on:)` would close
        // each one after its answer (AsyncHTTPClient parks no loop-bound connections).
        let task = client.execute(
            request: http, delegate: ResponseAccumulator(request: http, maxBodySize: request.maxResponseBytes),
            eventLoop: .delegate(on: executor.eventLoop), deadline: .now() + TimeAmount(request.timeout), logger: logger)
        do {
            // Only reads are abandoned when the caller is cancelled: a mutation on its way
            // runs to its answer or its deadline, so its real outcome is known.
            let response =
                request.cancellable
                ? try await withTaskCancellationHandler {
                    try await task.futureResult.get()
                } onCancel: {
                    task.cancel()
                }
                : try await task.futureResult.get()
            return TransportResponse(
                status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
                body: response.body.map { Array(buffer: $0) } ?? [],
                retryAfter: response.headers.first(name: "Retry-After"))
        } catch is ResponseAccumulator.ResponseTooBigError {
            throw TransportFailure.responseTooLarge(limit: request.maxResponseBytes)
        } catch {
            throw Self.classify(error, target: target)
        }
    }

    /// Maps AsyncHTTPClient and NIO errors to "sent or not". Only errors that happen before a
    /// connection exists count as not sent; everything else may have reached the panel.
    ///
    /// - Parameter target: `host:port` of the panel, for "panel unreachable" reasons.
    static func classify(_ error: any Error, target: String) -> TransportFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout:
                return .timedOut(mayHaveBeenSent: false)
            case .invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown:
                return .notSent(reason: "invalid request or client shut down")
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return .timedOut(mayHaveBeenSent: true)
            case .remoteConnectionClosed:
                return .connectionLost(reason: "the panel closed the connection without answering")
            case .cancelled:
                return .connectionLost(reason: "cancelled")
            default:
                return .connectionLost(reason: "HTTP error")
            }
        }
        if let error = error as? NIOConnectionError {
            if error.dnsAError != nil || error.dnsAAAAError != nil, error.connectionErrors.isEmpty {
                return .notSent(reason: "panel unreachable: cannot resolve the host name (\(target))", cause: .nameNotResolved)
            }
            let codes = error.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
            let code = codes.first { $0 == ECONNREFUSED } ?? codes.first
            return .notSent(reason: unreachable(code, target: target), cause: cause(code))
        }
        if let reason = tlsFailure(error) {
            // The handshake comes before the request: nothing of it was sent.
            return .notSent(reason: "panel unreachable: TLS error: \(reason) (\(target))", cause: .tls)
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL:
                return .notSent(reason: unreachable(error.errnoCode, target: target), cause: cause(error.errnoCode))
            default:
                return .connectionLost(reason: "I/O error (errno \(error.errnoCode))")
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return .timedOut(mayHaveBeenSent: false)
            default: return .connectionLost(reason: "channel error")
            }
        }
        if error is CancellationError { return .connectionLost(reason: "cancelled") }
        return .connectionLost(reason: "network error")
    }

    /// The cause an errno of `connect` names.
    static func cause(_ errno: Int32?) -> UnreachableCause? {
        switch errno {
        case ECONNREFUSED: .connectionRefused
        case ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL: .unreachable
        default: nil
        }
    }

    /// What a failed TLS handshake means in words, or nil when `error` is not one. BoringSSL's
    /// own reason codes are read from its error stack's text, never shown as they are.
    static func tlsFailure(_ error: any Error) -> String? {
        if let extra = error as? NIOSSLExtraError {
            if extra == .failedToValidateHostname || extra == .serverHostnameImpossibleToMatch {
                return "the panel's certificate is not for this host name"
            }
            return "the TLS handshake failed"
        }
        guard let error = error as? NIOSSLError else { return nil }
        let words = String(describing: error)
        if words.contains("CERTIFICATE_VERIFY_FAILED") { return "the panel's certificate is not trusted (self-signed, expired or from an unknown authority)" }
        if words.contains("WRONG_VERSION_NUMBER") || words.contains("PACKET_LENGTH_TOO_LONG") {
            return "the panel's port does not speak TLS (an http:// port given as https://?)"
        }
        if case .unableToValidateCertificate = error { return "the panel's certificate could not be validated" }
        return "the TLS handshake failed"
    }

    /// `panel unreachable: connection refused (127.0.0.1:1)`.
    static func unreachable(_ errno: Int32?, target: String) -> String {
        let cause: String
        switch errno {
        case ECONNREFUSED: cause = "connection refused"
        case ENETUNREACH: cause = "network unreachable"
        case EHOSTUNREACH: cause = "host unreachable"
        case EADDRNOTAVAIL: cause = "address not available"
        case let code?: cause = "cannot connect (errno \(code))"
        case nil: cause = "cannot connect"
        }
        return "panel unreachable: \(cause) (\(target))"
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
