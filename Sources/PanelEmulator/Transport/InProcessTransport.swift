import PanelAPI

/// A ``PanelTransport`` that hands requests straight to a ``PanelEmulator``: no sockets,
/// same handling, faults included (a dropped connection becomes
/// ``TransportFailure/connectionLost(reason:)``).
public struct InProcessTransport: PanelTransport {
    private let emulator: PanelEmulator
    private let remoteIP: String

    /// Creates a transport; requests appear to come from `remoteIP`.
    public init(emulator: PanelEmulator, remoteIP: String = "127.0.0.1") {
        self.emulator = emulator
        self.remoteIP = remoteIP
    }

    /// Calls the emulator, bounded by the request's timeout when it injects latency (without
    /// that, an answer takes microseconds and a timer per call would cost more than the call).
    ///
    /// A request that is not ``TransportRequest/cancellable`` (a mutation) runs in a task of
    /// its own, which does not inherit the caller's cancellation: the latency sleep, the
    /// timeout timer and the store's write all run as if nobody had cancelled, so the
    /// caller gets the real outcome. A cancelled read is abandoned.
    public func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
        let exchange = EmulatorRequest(path: request.path, body: request.body, remoteIP: remoteIP)
        let emulator = self.emulator
        let outcome: EmulatorOutcome?
        if request.cancellable {
            outcome = await Self.exchange(exchange, with: emulator, timeout: request.timeout)
            if Task.isCancelled { throw .connectionLost(reason: "cancelled") }
        } else {
            outcome = await Task { await Self.exchange(exchange, with: emulator, timeout: request.timeout) }.value
        }
        switch outcome {
        case nil:
            throw .timedOut(mayHaveBeenSent: true)
        case .drop:
            throw .connectionLost(reason: "the panel closed the connection without answering")
        case .respond(let status, let contentType, let body, let retryAfter):
            guard body.count <= request.maxResponseBytes else { throw .responseTooLarge(limit: request.maxResponseBytes) }
            return TransportResponse(status: status, contentType: contentType, body: body, retryAfter: retryAfter)
        }
    }

    /// The emulator's outcome, or nil when `timeout` passed first.
    private static func exchange(
        _ exchange: EmulatorRequest, with emulator: PanelEmulator, timeout: Duration
    ) async -> EmulatorOutcome? {
        guard emulator.settings.faults.delays else { return await emulator.handle(exchange) }
        return await withTaskGroup(of: EmulatorOutcome?.self) { group in
            group.addTask { await emulator.handle(exchange) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
