import ArgumentParser
import Foundation
import Logging
import Scheduler
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// `nightshift schedule --jobs jobs.toml`: the scheduling daemon.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Run the scheduler daemon: each due job runs as a child `nightshift run` process.",
        discussion: """
            SIGTERM or SIGINT: stop starting runs, let running ones finish within shutdown_grace, \
            then kill them. SIGHUP: reload the jobs file; a broken file keeps the old jobs and logs why. \
            See docs/scheduling.md.
            """
    )

    @Option(
        name: [.customLong("jobs"), .customLong("config")],
        help: "The jobs file (--config is its old name, still accepted; nightshift.toml is never meant here).")
    var jobs: String = "jobs.toml"

    @Option(help: "The name recorded on this daemon's claims and runs (default: the host name). Give each daemon on one store its own.")
    var host: String = StoreHost.current

    @Flag(help: "Log debug details.")
    var verbose = false

    func run() async throws {
        var logger = Logger(label: "nightshift.scheduler") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .info
        let path = jobs
        let configuration: JobConfiguration
        let store: any SchedulerStore
        do {
            configuration = try JobConfiguration.load(path: path)
            store = try await SchedulerStores.open(
                settings: configuration.settings, environment: ProcessInfo.processInfo.environment, host: host,
                logger: logger)
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(6)
        }
        // The store holds the password now; children (any job's command) must not inherit it.
        unsetenv("PGPASSWORD")
        // Observers of the daemon: metrics (if `[scheduler] metrics` is set) and job notifications.
        let metrics = configuration.settings.metrics.map { _ in SchedulerMetrics() }
        if let metrics, let successes = try? await store.lastSuccesses() { metrics.load(lastSuccesses: successes) }
        let notifier = JobNotifier(store: store, logger: logger, onDelivery: { metrics?.notified($0) })
        let daemon = SchedulerDaemon(
            configuration: configuration, store: store, launcher: ProcessLauncher(), runner: [Self.executablePath()],
            clock: SystemClock(), logger: logger, reload: { try JobConfiguration.load(path: path) },
            events: SchedulerEventFanOut([notifier] + (metrics.map { [$0] } ?? [])))

        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP)
        hangup.setEventHandler {
            Task { await daemon.reload() }
        }
        hangup.resume()
        defer { hangup.cancel() }

        // Shut down in reverse order: the daemon first (its last runs' notifications are
        // queued as it stops), then the metrics server, then the notifier's grace period.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: notifier)]
        if let metrics, let address = configuration.settings.metrics {
            // Healthy while ticks come: three ticks, and at least 10 s, may pass between scrapes.
            let maxTickAge = max(10, 3 * configuration.settings.tick)
            services.append(
                .init(
                    service: MetricsServer(
                        address: address, metrics: metrics, clock: SystemClock(), maxTickAge: maxTickAge,
                        nextSlots: { await daemon.nextSlots }, logger: logger)))
        }
        services.append(.init(service: daemon))
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let failure as MetricsServer.Failure {
            await store.close()
            FileHandle.standardError.write(Data("Error: \(failure)\n".utf8))
            throw ExitCode(6)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// This executable, so that children run the same build: `/proc/self/exe`, else argv[0].
    static func executablePath() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        let argument = CommandLine.arguments[0]
        if argument.hasPrefix("/") { return argument }
        if argument.contains("/") {
            return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(argument)
        }
        return argument
    }
}
