import AsyncHTTPClient
import Foundation
import NIOCore
import NightshiftCore
import Scheduler
import TestHTTP
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real daemon (`nightshift schedule`) with job notifications and `[scheduler] metrics`.
@Suite("nightshift schedule: notifications and metrics, real processes", .serialized)
struct NotifyMetricsProcessTests {
    /// A loopback port free a moment ago (bound to port 0, then closed).
    func freePort() throws -> Int {
        let url = try refusingURL()
        return Int(URLComponents(string: url)!.port!)
    }

    @Test("a failing job's webhook hangs 30 s: the next slot starts while it hangs, none is skipped, /metrics and /healthz answer, and no output shows the URL", arguments: StoreKind.allCases)
    func hangingWebhook(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let receiver = try await HTTPReceiver.start { _ in (.ok, .seconds(30)) }
        defer { receiver.stop() }
        let port = try freePort()
        let path = dir.file("jobs.toml")
        try """
            [scheduler]
            state = "state.sqlite"
            \(underTest.schedulerLine)
            tick = 0.1
            shutdown_grace = "5s"
            metrics = "127.0.0.1:\(port)"

            [defaults]
            notify = { webhook = "\(receiver.url)" }

            [[jobs]]
            name = "probe"
            schedule = "@every 2s"
            timeout = "10s"
            command = ["/bin/sh", "-c", "echo refused by the panel; exit 1"]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let store = try await underTest.open(dir)
        let log = dir.file("daemon.log")
        let daemon = try NightshiftBinary.start(["schedule", "--jobs", path], log: log)
        defer {
            if daemon.poll() == nil {
                daemon.kill(signal: SIGKILL)
                daemon.waitForExit()
            }
        }

        // The first failure's webhook hangs; three more slots come and go meanwhile.
        #expect(await eventually { receiver.received.count >= 1 })
        #expect(try await eventually { try await store.history(job: "probe").filter { $0.status == .failed }.count >= 4 })
        let runs = try await store.history(job: "probe").reversed().filter { $0.status != .running }
        #expect(runs.allSatisfy { $0.status == .failed }, "no slot skipped: \(runs.map(\.status))")
        let slots = runs.map(\.slot)
        #expect(zip(slots, slots.dropFirst()).allSatisfy { $1 - $0 == 2 }, "consecutive slots: \(slots)")

        let metrics = try await get("http://127.0.0.1:\(port)/metrics")
        #expect(metrics.status == 200)
        let families = try PrometheusOracle.parse(metrics.body)
        #expect((families.value("nightshift_runs_total", ["job": "probe", "status": "failed", "host": StoreHost.current]) ?? 0) >= 4)
        let next = try #require(families.value("nightshift_job_next_run_timestamp_seconds", ["job": "probe"]))
        #expect(abs(next - Date().timeIntervalSince1970) < 30 && Int(next) % 2 == 0, "an @every 2s slot near now: \(next)")
        let health = try await get("http://127.0.0.1:\(port)/healthz")
        #expect(health.status == 200)
        #expect(health.body.hasPrefix("ok: "))

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == .exited(0))

        // Every delivery is recorded (the hanging ones as unknown: timed out or cut off by the
        // shutdown), and the URL's secret path appears nowhere.
        let history = try NightshiftBinary.run(["history", "--notifications", "--jobs", path])
        #expect(history.status == 0, "\(history.error)")
        #expect(history.output.contains("webhook http://127.0.0.1:\(receiver.port)/…"), "\(history.output)")
        #expect(history.output.contains("unknown"))
        let json = try NightshiftBinary.run(["history", "--notifications", "--json", "--jobs", path])
        #expect(json.status == 0)
        let deliveries = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
        #expect(deliveries.count >= 1)
        #expect(deliveries.allSatisfy { $0["targetKind"] as? String == "webhook" && $0["event"] as? String == "failure" })
        // Each next slot started while the webhook for the failure before it still hung: in the
        // daemon's own records, a delivery is recorded when it ends (here at its timeout or at
        // the shutdown), and a run when it starts.
        var deliveryEnds: [Int64: Double] = [:]
        for delivery in deliveries {
            guard let run = (delivery["runID"] as? NSNumber)?.int64Value, let at = (delivery["at"] as? NSNumber)?.doubleValue
            else { continue }
            deliveryEnds[run] = min(deliveryEnds[run] ?? at, at)
        }
        for (run, next) in zip(runs, runs.dropFirst()) {
            let hungUntil = try #require(deliveryEnds[run.id], "no delivery recorded for the failure of slot \(run.slot)")
            let started = try #require(next.startedAt)
            #expect(started < hungUntil, "slot \(next.slot) started only after the webhook for slot \(run.slot) ended")
        }
        let runsOutput = try NightshiftBinary.run(["history", "--json", "--jobs", path])
        let daemonLog = try String(contentsOfFile: log, encoding: .utf8)
        #expect(daemonLog.contains("notification not delivered"))
        for text in [history.output, json.output, runsOutput.output, daemonLog] {
            #expect(!text.contains("s3cr3t"), "\(text)")
            #expect(!text.contains(HTTPReceiver.secretPath))
        }
    }

    @Test("a metrics address already in use stops the daemon at start with a message that names it")
    func metricsAddressInUse() async throws {
        let dir = TemporaryDirectory()
        let blocker = try await HTTPReceiver.start()
        defer { blocker.stop() }
        let path = dir.file("jobs.toml")
        try """
            [scheduler]
            state = "state.sqlite"
            metrics = "127.0.0.1:\(blocker.port)"

            [[jobs]]
            name = "probe"
            schedule = "@daily"
            command = ["/bin/true"]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try NightshiftBinary.run(["schedule", "--jobs", path])
        #expect(result.status != 0)
        #expect(result.error.contains("127.0.0.1:\(blocker.port)"), "\(result.error)")
    }

    func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }
}
