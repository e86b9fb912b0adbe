import Logging
import NightshiftConfig
import RunRecords
import Scheduler
import ScriptRuntime

/// Copies a host's finished runs to the shared records in the background: the scheduler
/// daemon asks it after every run it reaps and once at start-up.
///
/// Asking never waits and never fails: a request while a pass is going on makes one more
/// pass after it, and a pass that fails (the database down, a network cut) is logged without
/// the password and tried again after a delay that doubles from `retry.lowerBound` up to
/// `retry.upperBound`, so rows left behind ship once the database is back, exactly once
/// (copies are keyed upserts, and a run is marked shipped only after its copy commits).
public actor RecordShipper {
    private let settings: SharedRecordsSettings
    private let password: String?
    private let audit: AuditLog
    private let host: String
    private let logger: Logger
    private let retry: ClosedRange<Duration>
    private let timeout: Duration
    private var running = false
    private var again = false
    private var delay: Duration
    private var retryPending = false
    private var failing = false
    private var passes = 0

    /// Creates a shipper.
    /// - Parameters:
    ///   - settings: the shared records' database.
    ///   - password: resolved once by the caller (the daemon removes `PGPASSWORD` from its
    ///     environment after start-up).
    ///   - audit: this host's audit log.
    ///   - host: the host of runs recorded without one.
    ///   - retry: the first and the longest wait before trying again after a failure.
    ///   - timeout: for connecting and for each statement.
    public init(
        settings: SharedRecordsSettings, password: String?, audit: AuditLog, host: String, logger: Logger,
        retry: ClosedRange<Duration> = .seconds(5)...(.seconds(300)), timeout: Duration = .seconds(10)
    ) {
        self.settings = settings
        self.password = password
        self.audit = audit
        self.host = host
        self.logger = logger
        self.retry = retry
        self.timeout = timeout
        delay = retry.lowerBound
    }

    /// Asks for a pass soon; returns at once.
    public nonisolated func request() {
        Task { await self.pass() }
    }

    /// Passes completed so far, failed ones included (tests wait on it).
    public var completedPasses: Int { passes }

    /// Whether the last pass failed.
    public var isFailing: Bool { failing }

    /// Runs passes until no request came in during the last one.
    public func pass() async {
        if running {
            again = true
            return
        }
        running = true
        repeat {
            again = false
            await shipOnce()
        } while again
        running = false
    }

    private func shipOnce() async {
        defer { passes += 1 }
        do {
            let shipped = try await SharedRecordsStore.ship(
                settings, password: password, from: audit, host: host, timeout: timeout, logger: logger)
            if failing {
                logger.info("shared records reachable again", metadata: ["store": "\(settings)"])
            }
            if shipped.runs > 0 {
                logger.debug(
                    "runs copied to the shared records",
                    metadata: ["runs": "\(shipped.runs)", "writes": "\(shipped.writes)"])
            }
            failing = false
            delay = retry.lowerBound
        } catch {
            // The first failure of a streak is a warning; the retries after it are quieter.
            let message = "cannot copy runs to the shared records: \(error); they stay in \(audit.path) and are copied later"
            if failing {
                logger.debug("\(message)", metadata: ["retry in": "\(delay)"])
            } else {
                logger.warning("\(message)", metadata: ["retry in": "\(delay)"])
            }
            failing = true
            scheduleRetry()
        }
    }

    private func scheduleRetry() {
        guard !retryPending else { return }
        retryPending = true
        let wait = delay
        delay = min(delay * 2, retry.upperBound)
        Task {
            try? await Task.sleep(for: wait)
            await self.retried()
        }
    }

    private func retried() async {
        retryPending = false
        await pass()
    }
}

/// The daemon tells the shipper of every run's end: each asks for a pass, which returns at
/// once (``RecordShipper/request()``).
extension RecordShipper: SchedulerEvents {
    public nonisolated func runFinished(_ run: Scheduler.JobRun, job: Job?, retrying: Bool) { request() }
    public nonisolated func runStarted(_ run: Scheduler.JobRun, job: Job) {}
    public nonisolated func slotSkipped(_ run: Scheduler.JobRun, job: Job, missed: Int) {}
    public nonisolated func ticked(_ tick: SchedulerTick) {}
}
