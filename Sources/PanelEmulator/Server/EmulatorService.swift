import Hummingbird
import Logging
import NIOCore
import PanelAPI
import ServiceLifecycle

/// The emulator as an HTTP server: a swift-service-lifecycle `Service`, so a `ServiceGroup`
/// runs it and shuts it down gracefully on SIGTERM/SIGINT.
///
/// Listens on `127.0.0.1` by default; port 0 picks a free port, reported to `onRunning`.
public struct EmulatorService: Service {
    private let emulator: PanelEmulator
    private let host: String
    private let port: Int
    private let logger: Logger
    private let onRunning: @Sendable (Int) async -> Void
    private let eventLoopGroup: (any EventLoopGroup)?

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - host: address to bind; loopback unless you mean otherwise.
    ///   - port: port to bind; 0 for any free port.
    ///   - eventLoopGroup: the NIO threads to serve on; NIO's shared singleton by default.
    ///   - onRunning: called with the bound port once the server accepts connections.
    public init(
        emulator: PanelEmulator, host: String = "127.0.0.1", port: Int, logger: Logger,
        eventLoopGroup: (any EventLoopGroup)? = nil,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.eventLoopGroup = eventLoopGroup
        self.emulator = emulator
        self.host = host
        self.port = port
        self.logger = logger
        self.onRunning = onRunning
    }

    /// Serves until cancelled or gracefully shut down.
    public func run() async throws {
        let onRunning = self.onRunning
        let logger = self.logger
        let app = Application(
            responder: EmulatorResponder(emulator: emulator),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                logger.info("panel emulator listening", metadata: ["port": "\(bound)"])
                await onRunning(bound)
            },
            eventLoopGroupProvider: eventLoopGroup.map { .shared($0) } ?? .singleton,
            logger: logger
        )
        // On a one-thread group, handlers run on the loop that reads and writes their
        // connection: a request is answered without handing work between threads.
        if let eventLoopGroup, Array(eventLoopGroup.makeIterator()).count == 1 {
            try await withTaskExecutorPreference(EventLoopExecutor(eventLoopGroup.next())) { try await app.run() }
        } else {
            try await app.run()
        }
    }
}
