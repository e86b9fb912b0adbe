import Foundation
import NightshiftCore
import NotifyDelivery
import Scheduler
import TestHTTP
import Testing

@Suite("job notifications: webhook, ping and command receivers")
struct JobNotificationTests {
    @Test("a failed run POSTs one JSON object with the run's facts, its output's last 4 KiB and a text line; the delivery is recorded", arguments: StoreKind.allCases)
    func failureWebhook(store: StoreKind) async throws {
        let receiver = try await HTTPReceiver.start()
        defer { receiver.stop() }
        let n = try await NotificationFixture(store: store, jobs: [try notifyingJob(JobNotify(webhook: receiver.url))])
        await n.tick("2026-05-01T00:01:00Z")
        let output = "starting\n" + String(repeating: "é", count: 3000) + "\ntop-up refused for bob\n"
        let error = "resellers.add_credits: panel refused: NOT EXISTS (id 42)"
        try n.finish(
            0, status: 1, output: output,
            receipt: RunReceipt(runID: "run-7f3a", status: .failed, exitCode: 1, error: error, writesSent: 2, creditsMoved: 150))
        await n.tick("2026-05-01T00:01:07Z")
        let records = try await n.settle()

        #expect(receiver.received.count == 1)
        let request = try #require(receiver.received.first)
        #expect(request.method == "POST")
        #expect(request.uri == HTTPReceiver.secretPath)
        let body = try object(request.body)
        #expect(body["event"] as? String == "failure")
        #expect(body["job"] as? String == "topup")
        #expect(body["slot"] as? String == ISO8601.format(at("2026-05-01T00:01:00Z"), in: .utc))
        #expect(number(body["slot_epoch"]) == Double(at("2026-05-01T00:01:00Z")))
        #expect(body["host"] as? String == "test-host")
        #expect(body["status"] as? String == "failed")
        #expect(number(body["exit_code"]) == 1)
        #expect(body["exit_meaning"] as? String == "exited with status 1 (the script failed)")
        #expect(body["error"] as? String == error)
        #expect(body["run_id"] as? String == "run-7f3a")
        #expect(number(body["history_id"]) == Double(try #require(try await n.f.history("topup").first).id))
        #expect(number(body["writes_sent"]) == 2)
        #expect(number(body["credits_moved"]) == 150)
        #expect(number(body["duration_seconds"]) == 7)
        let tail = try #require(body["output_tail"] as? String)
        #expect(tail.hasSuffix("\ntop-up refused for bob\n"))
        #expect(tail.utf8.count <= 4096 && tail.utf8.count > 4000)
        #expect(!tail.contains("starting"))
        #expect(!tail.contains("\u{FFFD}"), "the tail starts on a whole character")
        let text = try #require(body["text"] as? String)
        #expect(text.hasPrefix("nightshift: job topup failed (slot 2026-05-01T00:01:00"), "\(text)")
        #expect(text.hasSuffix(": \(error)"), "\(text)")

        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.event == "failure")
        #expect(record.targetKind == .webhook)
        #expect(record.target == "http://127.0.0.1:\(receiver.port)/…")
        #expect(record.outcome == .delivered)
        #expect(record.attempts == 1)
        #expect(record.detail == "HTTP 200")
        #expect(record.runID == (try await n.f.history("topup")).first?.id)
    }

    @Test("a receiver answering 503 is retried with backoff, then recorded rejected with every attempt counted", arguments: StoreKind.allCases)
    func failingReceiver(store: StoreKind) async throws {
        let receiver = try await HTTPReceiver.start { _ in (.serviceUnavailable, .zero) }
        defer { receiver.stop() }
        let n = try await NotificationFixture(store: store, jobs: [try notifyingJob(JobNotify(webhook: receiver.url))])
        await n.tick("2026-05-01T00:01:00Z")
        try n.finish(0, status: 1)
        await n.tick("2026-05-01T00:01:05Z")
        let records = try await n.settle()
        #expect(receiver.received.count == 3, "one attempt and the two retries the tuning allows")
        #expect(Set(receiver.received.map(\.body)).count == 1, "the same message each time")
        let record = try #require(records.first)
        #expect(records.count == 1)
        #expect(record.outcome == .rejected)
        #expect(record.attempts == 3)
        #expect(record.detail == "HTTP 503")
    }

    @Test("a receiver answering 400 is not retried: it took the message and refused it")
    func refusedNotRetried() async throws {
        let receiver = try await HTTPReceiver.start { _ in (.badRequest, .zero) }
        defer { receiver.stop() }
        let n = try await NotificationFixture(store: .sqlite, jobs: [try notifyingJob(JobNotify(webhook: receiver.url))])
        await n.tick("2026-05-01T00:01:00Z")
        try n.finish(0, status: 1)
        await n.tick("2026-05-01T00:01:05Z")
        let records = try await n.settle()
        #expect(receiver.received.count == 1)
        #expect(records.map(\.outcome) == [.rejected])
        #expect(records.map(\.attempts) == [1])
    }

    @Test("a receiver that hangs 30 s does not hold the daemon: the next slot starts on its tick while the webhook still hangs, and a timed-out attempt is never repeated", arguments: StoreKind.allCases)
    func hangingReceiver(store: StoreKind) async throws {
        let receiver = try await HTTPReceiver.start { _ in (.ok, .seconds(30)) }
        defer { receiver.stop() }
        let n = try await NotificationFixture(
            store: store, jobs: [try notifyingJob(JobNotify(webhook: receiver.url))],
            tuning: NotificationTuning(retryDelays: [.milliseconds(50)], shutdownGrace: .seconds(120)))
        await n.tick("2026-05-01T00:01:00Z")
        try n.finish(0, status: 1)
        await n.tick("2026-05-01T00:01:05Z")
        #expect(await eventually(within: 60) { receiver.received.count == 1 })

        // The receiver holds the request; the next slot comes.
        await n.tick("2026-05-01T00:02:00Z")
        #expect(n.f.launcher.slots == [at("2026-05-01T00:01:00Z"), at("2026-05-01T00:02:00Z")])
        #expect(try await n.records().isEmpty, "the delivery was still waiting for its answer when the slot started")
        #expect(try await n.f.history("topup").map(\.status) == [.failed, .running])

        let records = try await n.settle()
        #expect(receiver.received.count == 1, "after a timeout the receiver may have it: not sent again")
        #expect(records.map(\.outcome) == [.unknown])
        #expect(records.first?.attempts == 1)
        #expect(records.first?.detail.contains("no answer from the webhook in time") == true)
    }

    @Test("pings follow healthchecks.io: /start when a run starts, then the bare URL on success or /fail on failure, with the same rid", arguments: StoreKind.allCases)
    func pingsInOrder(store: StoreKind) async throws {
        let receiver = try await HTTPReceiver.start()
        defer { receiver.stop() }
        let n = try await NotificationFixture(store: store, jobs: [try notifyingJob(JobNotify(ping: receiver.url))])
        await n.tick("2026-05-01T00:01:00Z")
        try n.finish(0, status: 0, output: "ok\n")
        await n.tick("2026-05-01T00:01:03Z")
        #expect(await eventually(within: 60) { receiver.received.count == 2 })
        await n.tick("2026-05-01T00:02:00Z")
        try n.finish(1, status: 1, output: "boom\n")
        await n.tick("2026-05-01T00:02:03Z")
        let records = try await n.settle()

        let uris = receiver.received.map(\.uri)
        #expect(uris.count == 4)
        let base = HTTPReceiver.secretPath
        let rids = uris.compactMap { $0.split(separator: "?rid=").last.map(String.init) }
        #expect(rids.count == 4)
        #expect(rids[0] == rids[1] && rids[2] == rids[3] && rids[0] != rids[2])
        #expect(UUID(uuidString: rids[0]) != nil)
        #expect(uris == ["\(base)/start?rid=\(rids[0])", "\(base)?rid=\(rids[0])", "\(base)/start?rid=\(rids[2])", "\(base)/fail?rid=\(rids[2])"])
        #expect(receiver.received[3].body.hasSuffix("boom\n"), "the fail ping carries the output for the check's log")
        #expect(records.map(\.event) == ["start", "success", "start", "fail"])
        #expect(records.allSatisfy { $0.targetKind == .ping && $0.outcome == .delivered && !$0.target.contains("s3cr3t") })
    }

    @Test("the command target gets the JSON on its standard input", arguments: StoreKind.allCases)
    func commandTarget(store: StoreKind) async throws {
        let directory = TemporaryDirectory()
        let out = directory.file("message.json")
        let command = ["/bin/sh", "-c", "cat > \(out); echo \"$NIGHTSHIFT_EVENT $NIGHTSHIFT_JOB\" > \(out).env"]
        // A generous timeout: starting a process can be slow on a loaded machine.
        let n = try await NotificationFixture(
            store: store, jobs: [try notifyingJob(JobNotify(command: command))],
            tuning: NotificationTuning(attemptTimeout: .seconds(30), retryDelays: [], shutdownGrace: .seconds(120)))
        await n.tick("2026-05-01T00:01:00Z")
        try n.finish(0, status: 4, output: "resellers.add_credits: no answer\n")
        await n.tick("2026-05-01T00:01:05Z")
        let records = try await n.settle()
        #expect(records.map(\.outcome) == [.delivered], "\(records)")
        let body = try object(try String(contentsOfFile: out, encoding: .utf8))
        #expect(body["event"] as? String == "outcome-unknown")
        #expect(body["status"] as? String == "outcome unknown")
        #expect(body["job"] as? String == "topup")
        #expect((body["exit_meaning"] as? String)?.contains("outcome unknown") == true)
        #expect(body["output_tail"] as? String == "resellers.add_credits: no answer\n")
        #expect(try String(contentsOfFile: out + ".env", encoding: .utf8) == "outcome-unknown topup\n")
        #expect(records.map(\.targetKind) == [.command])
        #expect(records.map(\.target) == ["/bin/sh"])
        #expect(records.map(\.detail) == ["/bin/sh exited with status 0"])
    }

    @Test("the first success after a failure is `recovered`; later successes are not sent unless `success` is asked for", arguments: StoreKind.allCases)
    func recovered(store: StoreKind) async throws {
        let receiver = try await HTTPReceiver.start()
        defer { receiver.stop() }
        let n = try await NotificationFixture(store: store, jobs: [try notifyingJob(JobNotify(webhook: receiver.url))])
        for (index, status) in [Int32(1), 0, 0, 2].enumerated() {
            await n.tick(String(format: "2026-05-01T00:%02d:00Z", index + 1))
            try n.finish(index, status: status)
            await n.tick(String(format: "2026-05-01T00:%02d:05Z", index + 1))
            // One run's notification at a time, so that the order below is the runs' order.
            #expect(try await eventually(within: 60) { try await n.records().count == [1, 2, 2, 3][index] })
        }
        _ = try await n.settle()
        let events = try receiver.received.map { try object($0.body)["event"] as? String }
        #expect(events == ["failure", "recovered", "failure"])
        let recovered = try object(receiver.received[1].body)
        #expect(recovered["previous_status"] as? String == "failed")
        #expect(recovered["status"] as? String == "succeeded")
        #expect((recovered["text"] as? String)?.hasSuffix(": it succeeded after a run that ended failed") == true)
    }

    @Test("a slot skipped by the overlap policy and slots missed while the daemon was down are `missed`, with how many", arguments: StoreKind.allCases)
    func missed(store: StoreKind) async throws {
        let receiver = try await HTTPReceiver.start()
        defer { receiver.stop() }
        let n = try await NotificationFixture(
            store: store, jobs: [try notifyingJob(JobNotify(on: [.missed], webhook: receiver.url), catchUp: .skip)])
        await n.tick("2026-05-01T00:01:00Z")
        await n.tick("2026-05-01T00:02:00Z")  // the first run still going: skipped
        try n.finish(0, status: 0)
        await n.tick("2026-05-01T00:02:30Z")
        await n.tick("2026-05-01T00:10:30Z")  // 00:03 to 00:09 missed; 00:10 on time
        let records = try await n.settle()
        let bodies = try receiver.received.map { try object($0.body) }.sorted { number($0["slot_epoch"])! < number($1["slot_epoch"])! }
        #expect(bodies.map { $0["event"] as? String } == ["missed", "missed"])
        #expect(bodies.map { $0["status"] as? String } == ["skipped", "skipped"])
        #expect(bodies.map { number($0["missed_slots"]) } == [1, 7])
        #expect((bodies[0]["text"] as? String)?.contains("missed a slot") == true)
        #expect((bodies[0]["error"] as? String)?.contains("still running") == true)
        #expect((bodies[1]["text"] as? String)?.contains("missed 7 slots") == true)
        #expect(records.count == 2)
    }

    @Test("a slot replayed late by the catch-up policy is `missed` when it starts, beside the skipped row for the slots not replayed", arguments: StoreKind.allCases)
    func catchUpIsMissed(store: StoreKind) async throws {
        let receiver = try await HTTPReceiver.start()
        defer { receiver.stop() }
        var fiveMinutes = try job("*/5 * * * *")
        fiveMinutes.notify = JobNotify(on: [.missed], webhook: receiver.url)
        let n = try await NotificationFixture(store: store, jobs: [fiveMinutes], start: "2026-05-01T00:04:30Z")
        await n.tick("2026-05-01T00:05:00Z")
        try n.finish(0, status: 0)
        await n.tick("2026-05-01T00:05:05Z")
        await n.tick("2026-05-01T00:17:00Z")  // 00:10 and 00:15 missed: 00:15 replayed, 00:10 skipped
        _ = try await n.settle()
        let bodies = try receiver.received.map { try object($0.body) }.sorted { number($0["slot_epoch"])! < number($1["slot_epoch"])! }
        #expect(bodies.map { $0["slot"] as? String } == [
            ISO8601.format(at("2026-05-01T00:10:00Z"), in: .utc), ISO8601.format(at("2026-05-01T00:15:00Z"), in: .utc),
        ])
        #expect(bodies.map { $0["event"] as? String } == ["missed", "missed"])
        #expect(bodies.map { $0["status"] as? String } == ["skipped", "running"])
        #expect(bodies.map { $0["kind"] as? String } == ["catch-up", "catch-up"])
        #expect((bodies[1]["text"] as? String)?.contains("ran late (catch-up)") == true)
    }

    @Test("at shutdown, deliveries still under way get the grace period, then are recorded: not sent, or unknown if an attempt was in flight", arguments: StoreKind.allCases)
    func shutdown(store: StoreKind) async throws {
        let hanging = try await HTTPReceiver.start { _ in (.ok, .seconds(30)) }
        defer { hanging.stop() }
        let refusing = try refusingURL()
        let n = try await NotificationFixture(
            store: store, jobs: [try notifyingJob(JobNotify(webhook: hanging.url, ping: refusing))],
            tuning: NotificationTuning(attemptTimeout: .seconds(120), retryDelays: [.seconds(120)], shutdownGrace: .milliseconds(300)))
        await n.tick("2026-05-01T00:01:00Z")
        try n.finish(0, status: 1)
        await n.tick("2026-05-01T00:01:05Z")
        #expect(await eventually(within: 60) { hanging.received.count == 1 })
        let records = try await n.settle()
        let byEvent = Dictionary(uniqueKeysWithValues: records.map { ("\($0.targetKind.rawValue) \($0.event)", $0) })
        #expect(records.count == 3)
        let webhook = try #require(byEvent["webhook failure"])
        #expect(webhook.outcome == .unknown)
        #expect(webhook.detail == "the daemon shut down during an attempt; it may or may not have arrived")
        let start = try #require(byEvent["ping start"])
        #expect(start.outcome == .notSent)
        #expect(start.attempts == 1)
        #expect(start.detail == "the daemon shut down before it was delivered; last attempt: cannot connect to the ping (connection refused)")
        let fail = try #require(byEvent["ping fail"])
        #expect(fail.outcome == .notSent)
        #expect(fail.attempts == 0)
        #expect(records.allSatisfy { !$0.target.contains("s3cr3t") && !$0.detail.contains("s3cr3t") })
    }
}

@Suite("job notifications and retries")
struct RetryNotificationTests {
    /// An hourly job with a webhook and two attempts a minute apart.
    func retryingJob(_ url: String) throws -> Job {
        var j = try job("0 * * * *", retry: JobRetryPolicy(attempts: 2, delay: 60, backoff: 1, maxDelay: 60))
        j.notify = JobNotify(webhook: url)
        return j
    }

    /// What `nightshift run` leaves when the panel could not be reached and nothing was sent.
    func unreachable(_ run: String) -> RunReceipt {
        RunReceipt(
            runID: run, status: .failed, exitCode: 1, error: "resellers.list: transport failure: panel unreachable",
            errorKind: "transport failure")
    }

    /// Runs the 01:00 slot: attempt 1 fails before sending anything, attempt 2 (started a
    /// minute later) ends with `second`; returns what the store recorded of the deliveries.
    func twoAttempts(
        _ store: StoreKind, receiver: HTTPReceiver, second: (status: Int32, receipt: RunReceipt)
    ) async throws -> [NotificationRecord] {
        let n = try await NotificationFixture(store: store, jobs: [try retryingJob(receiver.url)], start: "2026-05-01T00:30:00Z")
        await n.tick("2026-05-01T01:00:00Z")
        try n.finish(0, status: 1, receipt: unreachable("r-1"))
        await n.tick("2026-05-01T01:00:05Z")
        await n.tick("2026-05-01T01:01:05Z")
        #expect(n.f.launcher.children.count == 2, "the retry started")
        try n.finish(1, status: second.status, receipt: second.receipt)
        await n.tick("2026-05-01T01:01:10Z")
        return try await n.settle()
    }

    @Test("an attempt that failed with a retry queued sends no failure; the last attempt's failure is sent once", arguments: StoreKind.allCases)
    func onlyTheLastAttemptFails(store: StoreKind) async throws {
        let receiver = try await HTTPReceiver.start()
        defer { receiver.stop() }
        let records = try await twoAttempts(store, receiver: receiver, second: (1, unreachable("r-2")))

        #expect(receiver.received.count == 1)
        let body = try object(try #require(receiver.received.first).body)
        #expect(body["event"] as? String == "failure")
        #expect(body["run_id"] as? String == "r-2")
        #expect(records.map(\.event) == ["failure"])
    }

    @Test("a retry that succeeds after a failed attempt is not `recovered`: that failure was never announced", arguments: StoreKind.allCases)
    func retrySuccessIsNotARecovery(store: StoreKind) async throws {
        let receiver = try await HTTPReceiver.start()
        defer { receiver.stop() }
        let records = try await twoAttempts(
            store, receiver: receiver, second: (0, RunReceipt(runID: "r-2", status: .succeeded, exitCode: 0)))

        #expect(receiver.received.isEmpty, "\(receiver.received.map(\.body))")
        #expect(records.isEmpty)
    }
}
