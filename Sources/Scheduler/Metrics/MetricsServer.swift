import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Serves `GET /metrics` (Prometheus text) and `GET /healthz` on `[scheduler] metrics`, as
/// a `Service` beside the daemon. Placed before the daemon in the `ServiceGroup`, it stops
/// after it, so the last scrape sees the shutdown.
///
/// `/healthz` answers 200 `ok: …` when the daemon ticked within `maxTickAge` seconds and
/// the store answered that tick, else 503 saying which check failed.
public struct MetricsServer: Service {
    private let address: MetricsAddress
    private let metrics: SchedulerMetrics
    private let clock: any WallClock
    private let maxTickAge: Double
    private let nextSlots: @Sendable () async -> [String: Int64]
    private let logger: Logger
    private let onRunning: @Sendable (Int) async -> Void

    /// Creates the server.
    /// - Parameters:
    ///   - maxTickAge: seconds without a tick after which `/healthz` says unhealthy.
    ///   - nextSlots: each job's next slot, asked at each scrape (`SchedulerDaemon.nextSlots`).
    ///   - onRunning: called with the bound port once the server accepts connections.
    public init(
        address: MetricsAddress, metrics: SchedulerMetrics, clock: any WallClock, maxTickAge: Double,
        nextSlots: @escaping @Sendable () async -> [String: Int64], logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.address = address
        self.metrics = metrics
        self.clock = clock
        self.maxTickAge = maxTickAge
        self.nextSlots = nextSlots
        self.logger = logger
        self.onRunning = onRunning
    }

    /// Serves until cancelled or gracefully shut down.
    public func run() async throws {
        let router = Router()
        let (metrics, clock, maxTickAge, nextSlots) = (self.metrics, self.clock, self.maxTickAge, self.nextSlots)
        router.get("/metrics") { _, _ in
            metrics.setNextRuns(await nextSlots())
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        router.get("/healthz") { _, _ in
            let health = metrics.health(now: clock.now(), maxTickAge: maxTickAge)
            return Response(
                status: health.healthy ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: health.text + "\n")))
        }
        let logger = self.logger
        let onRunning = self.onRunning
        let address = self.address
        let app = Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("metrics served", metadata: ["address": "\(MetricsAddress(host: address.host, port: port))"])
                await onRunning(port)
            }, logger: logger)
        do {
            try await app.run()
        } catch {
            throw Failure(description: "cannot serve metrics on \(address): \(error)")
        }
    }

    /// The server could not bind its address or stopped with an error.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, naming the address.
        public var description: String
    }
}
