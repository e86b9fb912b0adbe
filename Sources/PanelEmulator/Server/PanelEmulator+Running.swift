import Logging
import NIOCore
import ServiceLifecycle

extension PanelEmulator {
    /// Runs the emulator on a free loopback port for the duration of `body`, then shuts it
    /// down gracefully. For tests and benchmarks.
    public func withRunningServer<T: Sendable>(
        host: String = "127.0.0.1", eventLoopGroup: (any EventLoopGroup)? = nil, logger: Logger,
        _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let service = EmulatorService(
            emulator: self, host: host, port: 0, logger: logger, eventLoopGroup: eventLoopGroup
        ) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await tasks.next().map { _ in () }
                throw CancellationError()
            }
            let result: T
            do {
                result = try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}
