import Scheduler

/// Where the console reads and what it steers: the jobs file, the scheduler's store, the
/// records and audit log, and the secrets no page may show.
public struct ConsoleSources: Sendable {
    /// The jobs file as it is now (read again for each page, as `nightshift jobs list` does).
    public var jobs: @Sendable () async throws -> JobConfiguration
    /// The scheduler's store (SQLite or PostgreSQL) the jobs file names.
    public var store: any SchedulerStore
    /// Runs, writes, and the console's own actions.
    public var records: any ConsoleRecords
    /// The plans this host keeps, to review, approve and reject; nil when the console keeps none.
    public var plans: (any ConsolePlans)?
    /// Texts replaced by `[redacted]` in every page and export: webhook and ping URLs, the
    /// API key when the process holds it. A last guard: pages show notify targets by name.
    public var secrets: [String]
    /// Called once when the console stops: closes what only the console uses (its store).
    public var close: @Sendable () async -> Void

    /// Creates the sources.
    public init(
        jobs: @escaping @Sendable () async throws -> JobConfiguration, store: any SchedulerStore,
        records: any ConsoleRecords, plans: (any ConsolePlans)? = nil, secrets: [String] = [],
        close: @escaping @Sendable () async -> Void = {}
    ) {
        self.jobs = jobs
        self.store = store
        self.records = records
        self.plans = plans
        self.secrets = secrets
        self.close = close
    }

    /// The secrets a jobs file holds: its jobs' webhook and ping URLs.
    public static func secrets(of configuration: JobConfiguration) -> [String] {
        configuration.jobs.flatMap(\.notify.secrets)
    }
}
