import Console
import Logging
import NightshiftConfig
import Operations
import RunRecords
import Scheduler

/// The web console wired to what the CLI reads: the jobs file, its scheduler store, and the
/// audit log of the state folder nightshift.toml names. `nightshift console` and
/// `nightshift schedule` (with `[console]` in the jobs file) both start it this way.
public enum ConsoleSetup {
    /// The console for the jobs file at `jobsPath`, with a connection of its own to the store
    /// the jobs file names (closed when the console stops). Its own, not a daemon's: a daemon
    /// notices pauses and triggers made by other connections, as it does the CLI's.
    /// - Parameters:
    ///   - settings: its `[console]` table (or the defaults).
    ///   - configPath: `--config` for nightshift.toml; nil finds it as every command does.
    ///   - stateDirectory: `--state`.
    /// - Throws: `CommandFailure` (configuration) naming what to fix.
    public static func server(
        settings: ConsoleSettings, jobsPath: String, configuration jobs: JobConfiguration, configPath: String? = nil,
        stateDirectory: String? = nil, environment: Environment = Environment(), logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws(CommandFailure) -> ConsoleServer {
        let configuration = try environment.configuration(explicit: configPath)
        let audit = try environment.auditLog(
            stateDirectory: environment.stateDirectory(explicit: stateDirectory, configuration: configuration))
        // Every secret this process can know of: no page may show one, whatever a record holds.
        var secrets = ConsoleSources.secrets(of: jobs)
        for target in configuration.notifyTargets {
            if case .webhook(let url) = target.delivery { secrets.append(url) }
        }
        for panel in [configuration.defaultPanel] + configuration.panels {
            if let key = try? environment.key(for: panel) { secrets.append(key.secret) }
        }
        if let password = environment.variables["PGPASSWORD"], !password.isEmpty { secrets.append(password) }
        let store: any SchedulerStore
        do {
            store = try await SchedulerStores.open(settings: jobs.settings, environment: environment.variables, logger: logger)
        } catch {
            throw CommandFailure(.configuration, "\(error)")
        }
        let sources = ConsoleSources(
            jobs: { try JobConfiguration.load(path: jobsPath) }, store: store, records: AuditRecords(audit: audit),
            plans: ConsolePlanDesk(desk: PlanDesk(audit: audit, settings: configuration.approvals), host: environment.host),
            secrets: secrets, close: { await store.close() })
        do {
            return try ConsoleServer(settings: settings, sources: sources, logger: logger, onRunning: onRunning)
        } catch {
            await store.close()
            throw CommandFailure(.configuration, error.description)
        }
    }
}
