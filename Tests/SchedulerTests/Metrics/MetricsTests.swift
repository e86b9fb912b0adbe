import AsyncHTTPClient
import Foundation
import NightshiftCore
import Logging
import NIOCore
import Scheduler
import TestHTTP
import Testing

@Suite("Prometheus metrics and /healthz")
struct MetricsTests {
    /// A running `MetricsServer` on 127.0.0.1 and a free port.
    final class Server: Sendable {
        let port: Int
        private let task: Task<Void, any Error>

        init(metrics: SchedulerMetrics, clock: any WallClock, daemon: SchedulerDaemon) async throws {
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let server = MetricsServer(
                address: MetricsAddress(host: "127.0.0.1", port: 0), metrics: metrics, clock: clock, maxTickAge: 10,
                nextSlots: { await daemon.nextSlots }, logger: NotificationFixture.quiet,
                onRunning: { continuation.yield($0) })
            task = Task { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            port = await iterator.next() ?? 0
        }

        deinit { task.cancel() }

        func get(_ path: String) async throws -> (status: Int, body: String, type: String?) {
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: body), response.headers.first(name: "Content-Type"))
        }
    }

    @Test("/metrics serves the scheduler's metrics as the prometheus_client parser reads them", arguments: StoreKind.allCases)
    func exposition(store: StoreKind) async throws {
        let receiver = try await HTTPReceiver.start()
        defer { receiver.stop() }
        let metrics = SchedulerMetrics()
        var report = try job("0 3 * * *", name: "report")
        report.notify = JobNotify()
        let n = try await NotificationFixture(
            store: store, jobs: [try notifyingJob(JobNotify(webhook: receiver.url)), report], extra: [metrics],
            onDelivery: { metrics.notified($0) })
        let server = try await Server(metrics: metrics, clock: n.f.clock, daemon: n.daemon)

        await n.tick("2026-05-01T00:01:00Z")
        try n.finish(0, status: 0, receipt: RunReceipt(runID: "r1", status: .succeeded, exitCode: 0, writesSent: 3, creditsMoved: 120))
        await n.tick("2026-05-01T00:01:04Z")
        await n.tick("2026-05-01T00:02:00Z")
        try n.finish(1, status: 1)
        await n.tick("2026-05-01T00:02:02Z")
        await n.tick("2026-05-01T00:03:02Z")
        await n.tick("2026-05-01T00:04:00Z")  // the 00:03 run still going: skipped
        // The failure and the skipped slot (missed).
        #expect(try await n.settle().map(\.event).sorted() == ["failure", "missed"])

        let response = try await server.get("/metrics")
        #expect(response.status == 200)
        #expect(response.type?.hasPrefix("text/plain; version=0.0.4") == true)
        let families = try PrometheusOracle.parse(response.body)
        #expect(families.family("nightshift_runs")?.type == "counter")
        #expect(families.value("nightshift_runs_total", ["job": "topup", "status": "succeeded", "host": "test-host"]) == 1)
        #expect(families.value("nightshift_runs_total", ["job": "topup", "status": "failed", "host": "test-host"]) == 1)
        #expect(families.value("nightshift_runs_total", ["job": "topup", "status": "skipped", "host": "test-host"]) == 1)
        #expect(families.family("nightshift_run_duration_seconds")?.type == "histogram")
        #expect(families.value("nightshift_run_duration_seconds_count") == 2)
        #expect(families.value("nightshift_run_duration_seconds_sum") == 6)
        #expect(families.value("nightshift_run_duration_seconds_bucket", ["le": "2.5"]) == 1)
        #expect(families.value("nightshift_run_duration_seconds_bucket", ["le": "5.0"]) == 2)
        #expect(families.family("nightshift_schedule_lag_seconds")?.type == "histogram")
        #expect(families.value("nightshift_schedule_lag_seconds_count") == 3)
        #expect(families.value("nightshift_schedule_lag_seconds_sum") == 2)
        #expect(families.family("nightshift_job_next_run_timestamp_seconds")?.type == "gauge")
        #expect(families.value("nightshift_job_next_run_timestamp_seconds", ["job": "topup"]) == Double(at("2026-05-01T00:05:00Z")))
        #expect(families.value("nightshift_job_next_run_timestamp_seconds", ["job": "report"]) == Double(at("2026-05-01T03:00:00Z")))
        #expect(families.value("nightshift_job_last_success_timestamp_seconds", ["job": "topup"]) == Double(at("2026-05-01T00:01:04Z")))
        #expect(families.value("nightshift_job_last_success_timestamp_seconds", ["job": "report"]) == nil)
        #expect(families.value("nightshift_running_runs") == 1)
        #expect(families.value("nightshift_notifications_total", ["outcome": "delivered"]) == 2)
        #expect(families.value("nightshift_last_tick_timestamp_seconds") == Double(at("2026-05-01T00:04:00Z")))
        #expect(families.value("nightshift_waiting_runs") == 0)
        #expect(families.family("nightshift_free_places") == nil, "no max_running: no free places gauge")
        #expect(families.value("nightshift_writes_sent_total", ["job": "topup"]) == 3)
        #expect(families.value("nightshift_credits_moved_total", ["job": "topup"]) == 120)
        #expect(!response.body.contains("s3cr3t"))

        // After a restart, the last success comes from the store.
        let restarted = SchedulerMetrics()
        restarted.load(lastSuccesses: try await n.f.store.lastSuccesses())
        let reloaded = try PrometheusOracle.parse(restarted.exposition())
        #expect(reloaded.value("nightshift_job_last_success_timestamp_seconds", ["job": "topup"]) == Double(at("2026-05-01T00:01:04Z")))
    }

    @Test("free places and waiting runs follow the last tick that reached the store; without max_running there is no free places gauge")
    func capacityGauges() throws {
        let metrics = SchedulerMetrics()
        metrics.ticked(SchedulerTick(time: 10, storeAnswered: true, running: 3, free: 7, waiting: 12))
        var families = try PrometheusOracle.parse(metrics.exposition())
        #expect(families.value("nightshift_free_places") == 7)
        #expect(families.value("nightshift_waiting_runs") == 12)
        // A tick without the store keeps what the store said last.
        metrics.ticked(SchedulerTick(time: 11, storeAnswered: false, running: 3, free: 7))
        families = try PrometheusOracle.parse(metrics.exposition())
        #expect(families.value("nightshift_waiting_runs") == 12)
        metrics.ticked(SchedulerTick(time: 12, storeAnswered: true, running: 0, free: nil, waiting: 0))
        families = try PrometheusOracle.parse(metrics.exposition())
        #expect(families.family("nightshift_free_places") == nil)
        #expect(families.value("nightshift_waiting_runs") == 0)
    }

    @Test("/healthz is 200 while the daemon ticks and the store answers, 503 when ticks stop or the store fails")
    func healthz() async throws {
        let metrics = SchedulerMetrics()
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: .sqlite)
        let daemon = f.daemon([try job("* * * * *")], events: metrics)
        let server = try await Server(metrics: metrics, clock: f.clock, daemon: daemon)

        let before = try await server.get("/healthz")
        #expect(before.status == 503)
        #expect(before.body == "unhealthy: the daemon has not ticked yet\n")

        await f.tick(daemon, at: "2026-05-01T00:00:40Z")
        let healthy = try await server.get("/healthz")
        #expect(healthy.status == 200)
        #expect(healthy.body == "ok: ticked 0.0 s ago, the store answers, 0 running\n")

        f.clock.set(Double(at("2026-05-01T00:01:10Z")))
        let stale = try await server.get("/healthz")
        #expect(stale.status == 503)
        #expect(stale.body == "unhealthy: the daemon's last tick was 30.0 s ago (more than 10.0 s)\n")

        // What the daemon reports on a tick whose store query failed.
        metrics.ticked(SchedulerTick(time: Double(at("2026-05-01T00:01:10Z")), storeAnswered: false, running: 0))
        let storeDown = try await server.get("/healthz")
        #expect(storeDown.status == 503)
        #expect(storeDown.body == "unhealthy: the store did not answer at the last tick\n")
    }
}
