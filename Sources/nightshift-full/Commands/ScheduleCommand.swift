import ArgumentParser
import Console
import Foundation
import Logging
import NightshiftCore
import Operations
import OperationsFull
import Scheduler
import ScriptAPI
import ScriptCommands
import ServiceLifecycle
import SharedRecords

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

    @Flag(help: "Start even when a job's script or module folder cannot be read (that job's runs end 'script unreadable'); without it such a job stops the daemon from starting.")
    var ignoreUnreadable = false

    @Flag(help: "Log debug details.")
    var verbose = false

    func run() async throws {
        var logger = Logger(label: "nightshift.scheduler") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .info
        let path = jobs
        let configuration: JobConfiguration
        let store: any SchedulerStore
        var console: ConsoleServer?
        do {
            configuration = try JobConfiguration.load(path: path)
            try checkJobs(configuration, logger: logger)
            store = try await SchedulerStores.open(
                settings: configuration.settings, environment: ProcessInfo.processInfo.environment, host: host,
                logger: logger)
            // `[console]`: the web console, with a store connection of its own, as the CLI's.
            if let settings = configuration.console {
                console = try await ConsoleSetup.server(
                    settings: settings, jobsPath: path, configuration: configuration, logger: logger)
            }
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw RunExitCode.configuration.exit
        }
        // Jobs record this daemon's name on their runs, as the history does.
        setenv("NIGHTSHIFT_HOST", host, 1)
        let shipper = Self.recordShipper(host: host, logger: logger)
        // The store holds the password now; children (any job's command) must not inherit it.
        unsetenv("PGPASSWORD")
        // Nor the API key: each run gets it on a pipe (ProcessLauncher), never in its environment.
        let key: String?
        do {
            key = try Self.takeAPIKey()
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw RunExitCode.configuration.exit
        }
        // Observers of the daemon: metrics (if `[scheduler] metrics` is set), job notifications and
        // the copy of run records to the shared records (if nightshift.toml has `[records] store`).
        let metrics = configuration.settings.metrics.map { _ in SchedulerMetrics() }
        if let metrics, let successes = try? await store.lastSuccesses() { metrics.load(lastSuccesses: successes) }
        let notifier = JobNotifier(store: store, logger: logger, onDelivery: { metrics?.notified($0) })
        let daemon = SchedulerDaemon(
            configuration: configuration, store: store, launcher: ProcessLauncher(handingOver: key), runner: [Self.runner()],
            clock: SystemClock(), logger: logger,
            reload: { [logger] in
                // A reload never stops the daemon: what the check finds is logged.
                let reloaded = try JobConfiguration.load(path: path)
                try? Self.check(reloaded, logger: logger, refuseUnreadable: false)
                return reloaded
            },
            events: SchedulerEventFanOut([notifier] + (metrics.map { [$0] } ?? []) + (shipper.map { [$0] } ?? [])))
        // Runs left by an earlier daemon (or made while none ran) are copied at start-up.
        shipper?.request()

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
        if let console { services.append(.init(service: console)) }
        services.append(.init(service: daemon))
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch where error is MetricsServer.Failure || error is ConsoleServer.Failure {
            await store.close()
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw RunExitCode.configuration.exit
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    private func checkJobs(_ configuration: JobConfiguration, logger: Logger) throws {
        try Self.check(configuration, logger: logger, refuseUnreadable: !ignoreUnreadable)
    }

    /// Logs what `nightshift jobs check` finds (docs/scheduling.md); throws when a job's script
    /// or module folder cannot be read and `refuseUnreadable` is set.
    static func check(_ configuration: JobConfiguration, logger: Logger, refuseUnreadable: Bool) throws {
        let modulePaths: [String]
        do {
            modulePaths = try Environment().configuration(explicit: nil).modulePaths
        } catch {
            throw CommandFailure(.configuration, "\(error) (every job's run reads it)")
        }
        let findings = JobCheck.findings(configuration, modulePaths: modulePaths)
        for finding in findings {
            switch finding.kind {
            case .scheduleChanged: logger.warning("\(finding)")
            case .unreadable where !refuseUnreadable: logger.error("\(finding); its runs will end 'script unreadable'")
            case .unreadable: break
            }
        }
        let unreadable = findings.filter { $0.kind == .unreadable }
        if refuseUnreadable, !unreadable.isEmpty {
            throw CommandFailure(
                .configuration,
                unreadable.map(\.description).joined(separator: "\n")
                    + "\nnot starting: fix the paths (nightshift jobs check shows them), or start with --ignore-unreadable to run the other jobs")
        }
    }

    /// The copier of this host's run records when nightshift.toml (found as the jobs find it:
    /// `NIGHTSHIFT_CONFIG`, `./nightshift.toml`, `~/.config/nightshift/`) has `[records] store`.
    /// Jobs writing to the same state folder leave the copy to it. Nil, and logged, when it
    /// cannot be set up: scheduling goes on without it.
    static func recordShipper(host: String, logger: Logger) -> RecordShipper? {
        let environment = Environment()
        do {
            let configuration = try environment.configuration(explicit: nil)
            guard let settings = try environment.sharedRecords(configuration) else { return nil }
            let state = environment.stateDirectory(explicit: nil, configuration: configuration)
            let audit = try environment.auditLog(stateDirectory: state)
            // Read now: PGPASSWORD leaves the environment before the first job starts.
            let password = try settings.password(environment: environment.variables)
            setenv(RecordsCopy.schedulerShipsVariable, state, 1)
            logger.info("copying run records to the shared records", metadata: ["store": "\(settings)", "state": "\(state)"])
            return RecordShipper(settings: settings, password: password, audit: audit, host: host, logger: logger)
        } catch {
            logger.error("run records will not be shared: \(error)")
            return nil
        }
    }

    /// `NIGHTSHIFT_API_KEY` (or the key this daemon was itself handed), taken out of the
    /// environment so that no child inherits it; refused with `NIGHTSHIFT_API_KEY_FILE` set
    /// too, as a run refuses it.
    static func takeAPIKey() throws -> String? {
        let environment = Environment()
        let key = environment.variables["NIGHTSHIFT_API_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? environment.handedOver
        unsetenv("NIGHTSHIFT_API_KEY")
        guard let key else { return nil }
        if let file = environment.variables["NIGHTSHIFT_API_KEY_FILE"], !file.isEmpty {
            throw CommandFailure(.configuration, "both NIGHTSHIFT_API_KEY and NIGHTSHIFT_API_KEY_FILE are set: keep one (the file is safer: unset NIGHTSHIFT_API_KEY)")
        }
        guard key.utf8.count <= ProcessLauncher.keyLimit else {
            throw CommandFailure(.configuration, "NIGHTSHIFT_API_KEY is longer than \(ProcessLauncher.keyLimit) bytes: it is not an API key")
        }
        return key
    }

    /// What runs the jobs: `nightshift` beside this executable (the same build, and the
    /// small executable every run starts faster with), else this executable itself.
    static func runner() -> String {
        let lean = Executables.beside(Executables.nightshift)
        return FileManager.default.isExecutableFile(atPath: lean) ? lean : Executables.current
    }
}
