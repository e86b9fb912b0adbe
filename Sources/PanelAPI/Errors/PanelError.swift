/// A failed panel call, typed so callers (and scripts) can react to the kind of failure.
///
/// The description names the endpoint and, when the panel said something, its words:
/// `resellers.add_credits: panel refused: NOT EXISTS (id 42)`. It never contains the API key.
public struct PanelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The panel rejected the API key.
        case notAuthorised = "not authorised"
        /// The panel does not accept calls from this machine's IP address.
        case ipNotAllowed = "IP not allowed"
        /// The panel understood the call and said no (`result: false` with its reason).
        case refused = "panel refused"
        /// The request could not be delivered (`panel unreachable: connection refused
        /// (HOST:PORT)`), the connection failed before any of it was sent, the panel kept
        /// answering HTTP 429, or the call was stopped before it was sent; for mutations this
        /// means nothing changed.
        case transport = "transport failure"
        /// No answer within the timeout. For reads only: a mutation that times out after being
        /// sent is ``outcomeUnknown``.
        case timeout = "timed out"
        /// A mutation was sent but no usable answer came back: it may or may not have been
        /// applied. Never retried; check the panel before trying again.
        case outcomeUnknown = "outcome unknown"
        /// The panel answered with something that is not one of the known response shapes.
        case malformedResponse = "malformed response"
        /// The answer was larger than the configured response size cap.
        case responseTooLarge = "response too large"
        /// The request could not be built (bad base URL, invalid argument).
        case invalidRequest = "invalid request"
    }

    /// What went wrong.
    public let kind: Kind
    /// The endpoint, as `group.action`.
    public let endpoint: String
    /// The panel's own words, when it gave any (`NOT EXISTS`).
    public let panelMessage: String?
    /// Extra detail in our words (the target reseller, the transport's reason), never the key.
    public let detail: String?
    /// For a ``Kind/transport`` failure that never reached the panel: why, when known.
    public let cause: UnreachableCause?

    /// Creates an error; callers outside PanelAPI use it to build test doubles.
    public init(
        _ kind: Kind, endpoint: String, panelMessage: String? = nil, detail: String? = nil, cause: UnreachableCause? = nil
    ) {
        self.kind = kind
        self.endpoint = endpoint
        self.panelMessage = panelMessage
        self.detail = detail
        self.cause = cause
    }

    /// `endpoint: kind: panel's words (detail)`.
    public var description: String {
        var text = "\(endpoint): \(kind.rawValue)"
        if let panelMessage, !panelMessage.isEmpty { text += ": \(panelMessage)" }
        if let detail, !detail.isEmpty { text += panelMessage == nil ? ": \(detail)" : " (\(detail))" }
        return text
    }

    /// Whether a read that failed this way may be tried again.
    public var isRetryableForReads: Bool {
        switch kind {
        case .transport, .timeout, .outcomeUnknown: true
        default: false
        }
    }
}
