/// Carries one HTTP exchange to a panel. PanelAPI ships ``HTTPTransport``; PanelEmulator
/// provides an in-process one; tests and the dry-run recorder provide their own.
///
/// A transport throws ``TransportFailure`` and nothing else; it must not retry.
public protocol PanelTransport: Sendable {
    /// Sends `request` and returns the panel's answer, however unusual its status or body.
    func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse
}

/// One request as it goes on the wire.
public struct TransportRequest: Sendable {
    /// The full URL; may contain the API key (path placement): never log it, log
    /// ``redactedURL`` instead.
    public let url: String
    /// ``url`` with the API key replaced by `<redacted>`.
    public let redactedURL: String
    /// The URL's path, for in-process transports (may contain the key too).
    public let path: String
    /// The form body (may contain the key).
    public let body: [UInt8]
    /// Time allowed for the whole exchange.
    public let timeout: Duration
    /// Bytes of response body accepted at most.
    public let maxResponseBytes: Int
    /// Whether cancelling the caller's task may abandon the exchange once it started. True
    /// for reads only: a mutation handed to the transport runs to its answer or its timeout,
    /// whatever happens to the task that sent it, so its real outcome is known.
    public let cancellable: Bool

    /// Creates a request; `cancellable` is false unless said (see ``cancellable``).
    public init(
        url: String, redactedURL: String, path: String, body: [UInt8], timeout: Duration,
        maxResponseBytes: Int, cancellable: Bool = false
    ) {
        self.url = url
        self.redactedURL = redactedURL
        self.path = path
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.cancellable = cancellable
    }

    /// The content type every call sends, as the vendor's examples do.
    public static let contentType = "application/x-www-form-urlencoded"
}

extension TransportRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `POST <redacted URL> (N bytes)`: never the key, never the body.
    public var description: String { "POST \(redactedURL) (\(body.count) bytes)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// Only the redacted URL, so `dump` cannot print the key.
    public var customMirror: Mirror { Mirror(self, children: ["url": redactedURL, "bodyBytes": body.count]) }
}

/// The panel's answer.
public struct TransportResponse: Sendable {
    /// The HTTP status code.
    public let status: Int
    /// The `Content-Type` header, if any (panels often say `text/html` for JSON).
    public let contentType: String?
    /// The body.
    public let body: [UInt8]
    /// The `Retry-After` header, if any (overloaded panels send it with 429 and 503).
    public let retryAfter: String?

    /// Creates a response.
    public init(status: Int, contentType: String?, body: [UInt8], retryAfter: String? = nil) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.retryAfter = retryAfter
    }
}

/// Why an exchange failed, with what matters for money: could the request have reached the
/// panel?
public enum TransportFailure: Error, Sendable, Equatable {
    /// Nothing was sent (connection refused, DNS failure, connect timeout, TLS failure);
    /// `reason` names the cause and the host and port, never the path or the key:
    /// `panel unreachable: connection refused (127.0.0.1:1)`; `cause` says which, when known.
    case notSent(reason: String, cause: UnreachableCause? = nil)
    /// The deadline passed; `mayHaveBeenSent` is false only when no byte could have left.
    case timedOut(mayHaveBeenSent: Bool)
    /// The connection broke after the request may have been sent (dropped, reset).
    case connectionLost(reason: String)
    /// The response body exceeded the cap.
    case responseTooLarge(limit: Int)
}
