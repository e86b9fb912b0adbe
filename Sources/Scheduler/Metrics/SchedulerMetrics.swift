import CoreMetrics
import Foundation
import Metrics
import Prometheus
import Synchronization

/// The daemon's Prometheus metrics, kept with swift-metrics on a registry of its own (no
/// process-wide bootstrap, so several daemons in one process keep theirs apart), and what
/// `/healthz` answers.
///
/// | metric | type | what |
/// |---|---|---|
/// | `nightshift_runs_total{job,status,host}` | counter | runs that ended, and skipped slots, by final status and the host that recorded them |
/// | `nightshift_run_duration_seconds` | histogram | child start to end |
/// | `nightshift_schedule_lag_seconds` | histogram | child start minus slot (jitter included) |
/// | `nightshift_job_next_run_timestamp_seconds{job}` | gauge | the job's next slot |
/// | `nightshift_job_last_success_timestamp_seconds{job}` | gauge | end of the job's newest success |
/// | `nightshift_running_runs` | gauge | children running now |
/// | `nightshift_notifications_total{outcome}` | counter | notification deliveries by outcome |
/// | `nightshift_writes_sent_total{job}` | counter | panel writes the job's runs sent |
/// | `nightshift_credits_moved_total{job}` | counter | credits the job's runs moved |
/// | `nightshift_last_tick_timestamp_seconds` | gauge | the daemon's last tick |
/// | `nightshift_free_places` | gauge | places for another run under `max_running` (absent without a limit) |
/// | `nightshift_waiting_runs` | gauge | runs waiting in the store for a daemon with a free place |
public final class SchedulerMetrics: SchedulerEvents {
    /// The registry `/metrics` renders.
    public let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    private let runDuration: Recorder
    private let scheduleLag: Recorder
    private let running: Meter
    private let lastTick: Meter
    private let waiting: Meter
    private let free = Mutex<Meter?>(nil)
    private let nextRuns = Mutex<[String: Meter]>([:])
    private let lastTickSeen = Mutex<SchedulerTick?>(nil)

    /// Histogram buckets of run durations, in seconds: 0.1 s to 1 h.
    public static let durationBuckets: [Double] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600]
    /// Histogram buckets of schedule lag, in seconds: 10 ms to 10 min.
    public static let lagBuckets: [Double] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]

    /// Creates the metrics; every gauge without a label starts at 0.
    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets = [
            "nightshift_run_duration_seconds": Self.durationBuckets, "nightshift_schedule_lag_seconds": Self.lagBuckets,
        ]
        self.factory = factory
        runDuration = Recorder(label: "nightshift_run_duration_seconds", aggregate: true, factory: factory)
        scheduleLag = Recorder(label: "nightshift_schedule_lag_seconds", aggregate: true, factory: factory)
        running = Meter(label: "nightshift_running_runs", factory: factory)
        lastTick = Meter(label: "nightshift_last_tick_timestamp_seconds", factory: factory)
        waiting = Meter(label: "nightshift_waiting_runs", factory: factory)
        running.set(0)
        lastTick.set(0)
        waiting.set(0)
    }

    /// Sets each job's last success from the store, so that an alert on it holds across
    /// daemon restarts.
    public func load(lastSuccesses: [String: Double]) {
        for (job, time) in lastSuccesses { lastSuccess(job).set(time) }
    }

    /// Counts one recorded notification delivery.
    public func notified(_ record: NotificationRecord) {
        Counter(label: "nightshift_notifications_total", dimensions: [("outcome", record.outcome.rawValue)], factory: factory)
            .increment()
    }

    /// The Prometheus text exposition (format 0.0.4).
    public func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// What `/healthz` says: healthy when the daemon ticked within `maxTickAge` seconds of
    /// `now` and the store answered that tick.
    public func health(now: Double, maxTickAge: Double) -> (healthy: Bool, text: String) {
        guard let tick = lastTickSeen.withLock({ $0 }) else { return (false, "unhealthy: the daemon has not ticked yet") }
        let age = now - tick.time
        if age > maxTickAge {
            return (false, String(format: "unhealthy: the daemon's last tick was %.1f s ago (more than %.1f s)", age, maxTickAge))
        }
        guard tick.storeAnswered else { return (false, "unhealthy: the store did not answer at the last tick") }
        return (true, String(format: "ok: ticked %.1f s ago, the store answers, %d running", max(age, 0), tick.running))
    }

    // MARK: Events

    public func runStarted(_ run: JobRun, job: Job) {
        if let started = run.startedAt { scheduleLag.record(max(0, started - Double(run.slot))) }
    }

    public func runFinished(_ run: JobRun, job: Job?, retrying: Bool) {
        count(run)
        if let started = run.startedAt, let finished = run.finishedAt { runDuration.record(max(0, finished - started)) }
        if run.status == .succeeded, let finished = run.finishedAt { lastSuccess(run.job).set(finished) }
        // Present for every job that ran, 0 until it sends a write (or for a custom command).
        Counter(label: "nightshift_writes_sent_total", dimensions: [("job", run.job)], factory: factory)
            .increment(by: max(0, run.writesSent ?? 0))
        Counter(label: "nightshift_credits_moved_total", dimensions: [("job", run.job)], factory: factory)
            .increment(by: max(0, run.creditsMoved ?? 0))
        countPanels(run)
    }

    public func slotSkipped(_ run: JobRun, job: Job, missed: Int) { count(run) }

    public func ticked(_ tick: SchedulerTick) {
        lastTickSeen.withLock { $0 = tick }
        lastTick.set(tick.time)
        running.set(tick.running)
        guard tick.storeAnswered else { return }
        waiting.set(tick.waiting)
        free.withLock { meter in
            if let places = tick.free {
                meter = meter ?? Meter(label: "nightshift_free_places", factory: factory)
                meter?.set(places)
            } else {
                meter?.destroy()
                meter = nil
            }
        }
    }

    /// Sets each job's next-run gauge (at scrape time); jobs no longer scheduled lose theirs.
    public func setNextRuns(_ slots: [String: Int64]) {
        nextRuns.withLock { meters in
            for (job, slot) in slots {
                let meter =
                    meters[job]
                    ?? Meter(label: "nightshift_job_next_run_timestamp_seconds", dimensions: [("job", job)], factory: factory)
                meter.set(Double(slot))
                meters[job] = meter
            }
            for job in meters.keys where slots[job] == nil { meters.removeValue(forKey: job)?.destroy() }
        }
    }

    private func count(_ run: JobRun) {
        Counter(
            label: "nightshift_runs_total", dimensions: [("job", run.job), ("status", run.status.rawValue), ("host", run.host ?? "-")],
            factory: factory
        )
        .increment()
    }

    private func lastSuccess(_ job: String) -> Meter {
        Meter(label: "nightshift_job_last_success_timestamp_seconds", dimensions: [("job", job)], factory: factory)
    }
}
