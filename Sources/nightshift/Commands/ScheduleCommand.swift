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
        let daemon = SchedulerDaemon(
            configuration: configuration, store: store, launcher: ProcessLauncher(), runner: [Self.executablePath()],
            clock: SystemClock(), logger: logger, reload: { try JobConfiguration.load(path: path) })

        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP)
        hangup.setEventHandler {
            Task { await daemon.reload() }
        }
        hangup.resume()
        defer { hangup.cancel() }

        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: daemon)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
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
