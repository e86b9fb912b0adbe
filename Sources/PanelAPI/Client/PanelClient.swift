import Logging

/// A MidnightStreamer Pro panel API client.
///
/// ```swift
/// let client = PanelClient(configuration: config, transport: HTTPTransport(logger: logger), logger: logger)
/// try await client.addCredits(.id(5), 25)
/// ```
///
/// Reads are retried per ``PanelConfiguration/retry``; mutations are sent once, and a
/// mutation that may have reached the panel without a usable answer throws
/// ``PanelError/Kind/outcomeUnknown``. The API key appears in no error, log line or
/// ``PanelRequest`` description.
public struct PanelClient: Sendable {
    /// The panel this client talks to.
    public let configuration: PanelConfiguration
    /// How requests travel.
    public let transport: any PanelTransport
    private let logger: Logger

    /// Creates a client.
    public init(configuration: PanelConfiguration, transport: any PanelTransport, logger: Logger) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
    }

    /// Sends `request` and interprets the answer; the single path every call takes.
    public func perform(_ request: PanelRequest) async throws(PanelError) -> PanelReply {
        let wire = makeTransportRequest(request)
        let key = configuration.apiKey
        let attempts = request.kind == .read ? configuration.retry.maxAttempts : 1
        var attempt = 1
        while true {
            logger.debug(
                "panel call",
                metadata: [
                    "endpoint": "\(request.endpoint)", "url": "\(wire.redactedURL)", "attempt": "\(attempt)",
                ])
            let outcome = await attemptOnce(wire, request)
            switch outcome {
            case .success(let reply):
                return reply
            case .failure(let error):
                let safe = PanelError(
                    error.kind, endpoint: error.endpoint, panelMessage: error.panelMessage.map(key.redact),
                    detail: error.detail.map(key.redact))
                guard attempt < attempts, safe.isRetryableForReads else {
                    logger.debug("panel call failed", metadata: ["error": "\(safe)"])
                    throw safe
                }
                let delay = configuration.retry.delay(afterAttempt: attempt)
                logger.debug("panel read failed, retrying", metadata: ["error": "\(safe)", "delay": "\(delay)"])
                do {
                    try await configuration.retry.sleep(delay)
                } catch {
                    throw safe
                }
                attempt += 1
            }
        }
    }

    private func attemptOnce(_ wire: TransportRequest, _ request: PanelRequest) async -> Result<PanelReply, PanelError> {
        let response: TransportResponse
        do {
            response = try await transport.send(wire)
        } catch {
            return .failure(Self.error(for: error, request: request, timeout: configuration.timeout))
        }
        do {
            return .success(try ResponseInterpreter.interpret(response, for: request, redact: configuration.apiKey.redact))
        } catch {
            return .failure(error)
        }
    }

    /// The wire form of `request`: URL (key in the path if so configured) and PHP-encoded body.
    public func makeTransportRequest(_ request: PanelRequest) -> TransportRequest {
        let key = configuration.apiKey.secret
        var path = configuration.baseURL.pathPrefix + "api/\(request.group)/\(request.action)"
        var redactedPath = path
        var fields = FormMap()
        switch configuration.keyPlacement {
        case .postField:
            fields["api_key"] = .string(key)
        case .pathSegment:
            path += "/" + PHPURLEncoding.rawEncode(key)
            redactedPath += "/" + APIKey.redacted
        }
        for (name, value) in request.params.entries where !(configuration.keyPlacement == .postField && name == "api_key") {
            fields[name] = value
        }
        let origin = configuration.baseURL.description.dropLast(configuration.baseURL.pathPrefix.count)
        return TransportRequest(
            url: origin + path, redactedURL: origin + redactedPath, path: path,
            body: PHPFormEncoder.encodeBytes(fields), timeout: configuration.timeout,
            maxResponseBytes: configuration.maxResponseBytes)
    }

    static func error(for failure: TransportFailure, request: PanelRequest, timeout: Duration) -> PanelError {
        let endpoint = request.endpoint
        let mutation = request.kind == .mutation
        switch failure {
        case .notSent(let reason):
            return PanelError(.transport, endpoint: endpoint, detail: "\(reason); nothing was sent")
        case .timedOut(false):
            return PanelError(.transport, endpoint: endpoint, detail: "could not reach the panel in time; nothing was sent")
        case .timedOut(let mayHaveBeenSent):
            if mutation && mayHaveBeenSent {
                return PanelError(
                    .outcomeUnknown, endpoint: endpoint,
                    detail: "no answer within \(timeout); the change may or may not have been applied")
            }
            return PanelError(.timeout, endpoint: endpoint, detail: "no answer within \(timeout)")
        case .connectionLost(let reason):
            if mutation {
                return PanelError(
                    .outcomeUnknown, endpoint: endpoint,
                    detail: "\(reason); the change may or may not have been applied")
            }
            return PanelError(.transport, endpoint: endpoint, detail: reason)
        case .responseTooLarge(let limit):
            return PanelError(
                mutation ? .outcomeUnknown : .responseTooLarge, endpoint: endpoint,
                detail: "answer larger than \(limit) bytes")
        }
    }
}
