import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
///
/// Every attempt passes the client's ``RequestGate``, shared by all copies of the client:
/// at most ``PanelConfiguration/concurrency`` requests at the panel, starts paced by
/// ``PanelConfiguration/rate``, and one shared backoff when the panel is overloaded (see
/// ``perform(_:)``).
public struct PanelClient: Sendable {
    /// The panel this client talks to.
    public let configuration: PanelConfiguration
    /// How requests travel.
    public let transport: any PanelTransport
    /// The door every attempt passes; shared by every copy of this client.
    public let gate: RequestGate
    let logger: Logger

    /// Creates a client with its own ``RequestGate`` sized from `configuration`.
    public init(configuration: PanelConfiguration, transport: any PanelTransport, logger: Logger) {
        self.init(
            configuration: configuration, transport: transport,
            gate: RequestGate(concurrency: configuration.concurrency, rate: configuration.rate), logger: logger)
    }

    /// Creates a client whose requests pass `gate` (which may be shared with other clients of
    /// the same panel); the gate's limits, not the configuration's, then apply.
    public init(configuration: PanelConfiguration, transport: any PanelTransport, gate: RequestGate, logger: Logger) {
        self.configuration = configuration
        self.transport = transport
        self.gate = gate
        self.logger = logger
    }

    /// Sends `request` and interprets the answer; the single path every call takes.
    ///
    /// - Cancellation: a call whose task is cancelled before its first attempt is handed to
    ///   the transport (waiting for a slot, a rate token or the shared backoff) sends nothing
    ///   and throws ``PanelError/Kind/transport``, "stopped before sending; nothing was
    ///   sent". A read already handed over may be abandoned. A mutation already handed over
    ///   is not cancelled: it ends with its real answer or its timeout. A mutation waiting
    ///   to be sent again after HTTP 429 throws ``PanelError/Kind/transport``, "stopped
    ///   before sending again after HTTP 429; nothing was applied".
    /// - Overload: HTTP 429 (any call) and 503 (reads) start the shared backoff and the
    ///   call is sent again after it, up to ``OverloadPolicy/maxAttempts`` answers; a
    ///   mutation answered 503 is ``PanelError/Kind/outcomeUnknown``, as any 5xx.
    public func perform(_ request: PanelRequest) async throws(PanelError) -> PanelReply {
        let wire = makeTransportRequest(request)
        let key = configuration.apiKey
        let readAttempts = request.kind == .read ? configuration.retry.maxAttempts : 1
        var failures = 0
        var overloads = 0
        var attempt = 1
        var lastFailure: PanelError? = nil
        while true {
            let ticket: RequestGate.Ticket
            if attempt == 1, let granted = gate.tryEnter() {
                ticket = granted
            } else if let granted = await gate.enter(front: attempt > 1) {
                ticket = granted
            } else {
                throw stopped(request, overloads: overloads, lastFailure: lastFailure)
            }
            if Task.isCancelled {
                gate.leave(ticket)
                throw stopped(request, overloads: overloads, lastFailure: lastFailure)
            }
            logger.debug(
                "panel call",
                metadata: [
                    "endpoint": "\(request.endpoint)", "url": "\(wire.redactedURL)", "attempt": "\(attempt)",
                ])
            let response: TransportResponse
            do {
                response = try await transport.send(wire)
            } catch {
                gate.leave(ticket)
                let failure = Self.error(for: error, request: request, timeout: configuration.timeout)
                lastFailure = try await afterFailure(failure, request, key: key, failures: &failures, readAttempts: readAttempts)
                attempt += 1
                continue
            }
            if response.status == 429 || response.status == 503 {
                overloads += 1
                let policy = configuration.overload
                let wait = response.retryAfter.flatMap { RetryAfter.parse($0, now: Self.wallClock()) }
                // The other requests wait at most maxRetryAfter; this one gives up below.
                let backoff = gate.leaveOverloaded(
                    ticket, retryAfter: wait.map { min($0, policy.maxRetryAfter) }, policy: policy)
                if response.status == 503 && request.kind == .mutation {
                    // The panel may have been halfway through it: outcome unknown, as any 5xx.
                    throw redacted(interpretFailure(response, request), key: key)
                }
                let applied = request.kind == .mutation ? "; nothing was applied" : ""
                if let wait, wait > policy.maxRetryAfter {
                    throw PanelError(
                        .transport, endpoint: request.endpoint,
                        detail: "panel overloaded (HTTP \(response.status)), asks to wait \(wait)\(applied)")
                }
                guard overloads < policy.maxAttempts else {
                    throw PanelError(
                        .transport, endpoint: request.endpoint,
                        detail: "panel overloaded (HTTP \(response.status))"
                            + (applied.isEmpty ? "; gave up after \(overloads) attempts" : applied))
                }
                lastFailure = PanelError(
                    .transport, endpoint: request.endpoint, detail: "panel overloaded (HTTP \(response.status))")
                if Task.isCancelled { throw stopped(request, overloads: overloads, lastFailure: lastFailure) }
                logger.info(
                    "panel overloaded, backing off",
                    metadata: [
                        "endpoint": "\(request.endpoint)", "status": "\(response.status)", "delay": "\(backoff)",
                        "attempt": "\(attempt)",
                    ])
                attempt += 1
                continue
            }
            gate.leave(ticket)
            do {
                return try ResponseInterpreter.interpret(response, for: request, redact: key.redact)
            } catch {
                lastFailure = try await afterFailure(error, request, key: key, failures: &failures, readAttempts: readAttempts)
                attempt += 1
            }
        }
    }

    /// After a failed attempt that was not an overload: returns the (redacted) failure when
    /// the read may be tried again, after the retry policy's delay; throws it otherwise.
    private func afterFailure(
        _ error: PanelError, _ request: PanelRequest, key: APIKey, failures: inout Int, readAttempts: Int
    ) async throws(PanelError) -> PanelError {
        let safe = redacted(error, key: key)
        failures += 1
        // A cancelled read is abandoned, not retried.
        guard failures < readAttempts, safe.isRetryableForReads, !Task.isCancelled else {
            logger.debug("panel call failed", metadata: ["error": "\(safe)"])
            throw safe
        }
        let delay = configuration.retry.delay(afterAttempt: failures)
        logger.debug("panel read failed, retrying", metadata: ["error": "\(safe)", "delay": "\(delay)"])
        do {
            try await configuration.retry.sleep(delay)
        } catch {
            throw safe
        }
        return safe
    }

    /// The error of a call stopped by cancellation before an attempt was handed over.
    private func stopped(_ request: PanelRequest, overloads: Int, lastFailure: PanelError?) -> PanelError {
        if request.kind == .mutation && overloads > 0 {
            return PanelError(
                .transport, endpoint: request.endpoint,
                detail: "stopped before sending again after HTTP 429; nothing was applied")
        }
        if let lastFailure { return lastFailure }
        return PanelError(.transport, endpoint: request.endpoint, detail: "stopped before sending; nothing was sent")
    }

    private func interpretFailure(_ response: TransportResponse, _ request: PanelRequest) -> PanelError {
        do {
            _ = try ResponseInterpreter.interpret(response, for: request, redact: configuration.apiKey.redact)
            return PanelError(.outcomeUnknown, endpoint: request.endpoint, detail: "HTTP \(response.status) from the panel")
        } catch {
            return error
        }
    }

    private func redacted(_ error: PanelError, key: APIKey) -> PanelError {
        PanelError(
            error.kind, endpoint: error.endpoint, panelMessage: error.panelMessage.map(key.redact),
            detail: error.detail.map(key.redact), cause: error.cause)
    }

    /// Seconds since 1970, for `Retry-After` dates.
    static func wallClock() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
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
            maxResponseBytes: configuration.maxResponseBytes, cancellable: request.kind == .read)
    }

    static func error(for failure: TransportFailure, request: PanelRequest, timeout: Duration) -> PanelError {
        let endpoint = request.endpoint
        let mutation = request.kind == .mutation
        switch failure {
        case .notSent(let reason, let cause):
            return PanelError(.transport, endpoint: endpoint, detail: "\(reason); nothing was sent", cause: cause)
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
