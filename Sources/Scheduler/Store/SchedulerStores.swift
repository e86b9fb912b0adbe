import Logging
import NightshiftCore

/// Opens the store a jobs file names.
public enum SchedulerStores {
    /// The PostgreSQL store when `[scheduler] store` is set, else the SQLite file `state`.
    /// - Parameters:
    ///   - environment: where `PGPASSWORD`, `PGPASSFILE` and `HOME` are read.
    ///   - host: the name recorded on claims and runs.
    /// - Throws: `ConfigurationError` naming the file or database (never a password).
    public static func open(
        settings: SchedulerSettings, environment: [String: String], host: String = StoreHost.current,
        logger: Logger = Logger(label: "nightshift.store", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> any SchedulerStore {
        if settings.store != nil {
            return try await PostgresStore.open(settings: settings, environment: environment, host: host, logger: logger)
        }
        return try SQLiteStore(path: settings.statePath, host: host, lease: settings.lease)
    }
}
