import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HTTP and HTTPS over AsyncHTTPClient, with pooled keep-alive connections.
///
/// Create one per process (or per panel) and call ``shutdown()`` when done.
public final class HTTPTransport: PanelTransport {
    private let client: HTTPClient
    private let ownsClient: Bool
    private let logger: Logger

    /// Parsed request heads by URL: parsing a URL costs more than the rest of building a
    /// request, and a client calls the same few endpoints over and over.
    private let templates = TemplateCache()

    /// Creates a transport with its own pooled client.
    ///
    /// - Parameters:
    ///   - connectTimeout: time allowed to open a connection; a call that fails here was
    ///     never sent.
    ///   - logger: receives AsyncHTTPClient's own debug output (URLs are never logged by us).
    public init(connectTimeout: Duration = .seconds(10), logger: Logger) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: TimeAmount(connectTimeout))
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.ownsClient = true
        self.logger = logger
    }

    /// Uses an existing client, which the caller shuts down.
    public init(client: HTTPClient, logger: Logger) {
        self.client = client
        self.ownsClient = false
        self.logger = logger
    }

    /// Closes pooled connections; call once, after the last request.
    public func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    /// Sends one POST with the form body.
    ///
    /// Uses AsyncHTTPClient's delegate API with a `ResponseAccumulator`: the body is collected
    /// on the connection's event loop and handed over once, which costs fewer thread hops
    /// per call than streaming the body through an async sequence.
    public func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
        do {
            var http = try templates.request(for: request.url)
            http.body = .bytes(request.body)
            let delegate = ResponseAccumulator(request: http, maxBodySize: request.maxResponseBytes)
            let response = try await client.execute(
                request: http, delegate: delegate, deadline: .now() + TimeAmount(request.timeout), logger: logger
            ).futureResult.get()
            return TransportResponse(
                status: Int(response.status.code),
                contentType: response.headers.first(name: "Content-Type"),
                body: response.body.map { Array(buffer: $0) } ?? [])
        } catch is ResponseAccumulator.ResponseTooBigError {
            throw .responseTooLarge(limit: request.maxResponseBytes)
        } catch {
            throw Self.classify(error)
        }
    }

    /// Maps AsyncHTTPClient and NIO errors to "sent or not". Only errors that happen before a
    /// connection exists count as not sent; everything else may have reached the panel.
    static func classify(_ error: any Error) -> TransportFailure {
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
            default:
                return .connectionLost(reason: "HTTP error")
            }
        }
        if error is NIOConnectionError { return .notSent(reason: "could not connect") }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL:
                return .notSent(reason: "could not connect (errno \(error.errnoCode))")
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
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// A small lock-protected cache of request templates (head only, no body).
private final class TemplateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [String: HTTPClient.Request] = [:]

    func request(for url: String) throws -> HTTPClient.Request {
        if let cached = lock.withLock({ requests[url] }) { return cached }
        var request = try HTTPClient.Request(url: url, method: .POST)
        request.headers.add(name: "Content-Type", value: TransportRequest.contentType)
        request.headers.add(name: "User-Agent", value: "nightshift")
        lock.withLock {
            if requests.count >= 64 { requests.removeAll() }
            requests[url] = request
        }
        return request
    }
}
