import Foundation
import NightshiftCore
import Scheduler
import Testing

/// A receipt of a run that could not reach the panel and sent nothing: worth a retry.
private func unreachable(_ run: String = "r-1") -> RunReceipt {
    RunReceipt(
        runID: run, status: .failed, exitCode: 1, error: "resellers.list: transport failure: panel unreachable",
        errorKind: "transport failure")
}

@Suite("retries")
struct RetryTests {
    static let policy = JobRetryPolicy(attempts: 3, delay: 60, backoff: 2, maxDelay: 900)

    @Test("a run that failed before sending anything is retried after delay × backoff, each attempt a row of its slot, until attempts run out", arguments: StoreKind.allCases)
    func retriedUntilAttemptsRunOut(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:30:00Z", store: store)
        let daemon = f.daemon([try job("0 * * * *", retry: Self.policy)])
        await f.tick(daemon, at: "2026-05-01T01:00:00Z")
        try f.launcher.children[0].finish(unreachable("r-1"))
        await f.tick(daemon, at: "2026-05-01T01:00:05Z")
        var history = try await f.history("topup")
        #expect(history.map(\.attempt) == [1, 2])
        #expect(history.map(\.status) == [.failed, .queued])
        #expect(history[0].reason == "resellers.list: transport failure: panel unreachable; retry 2 of 3 at 2026-05-01T01:01:05+00:00")
        #expect(Set(history.map(\.slot)) == [at("2026-05-01T01:00:00Z")])

        await f.tick(daemon, at: "2026-05-01T01:01:04Z")
        #expect(f.launcher.children.count == 1)
        await f.tick(daemon, at: "2026-05-01T01:01:05Z")
        #expect(f.launcher.children.count == 2)
        let second = f.launcher.children[1].request
        #expect(second.slot == at("2026-05-01T01:00:00Z"))
        #expect(second.environment["NIGHTSHIFT_ATTEMPT"] == "2")
        try f.launcher.children[1].finish(unreachable("r-2"))
        // The second retry waits delay × backoff: 120 s.
        await f.tick(daemon, at: "2026-05-01T01:01:10Z")
        await f.tick(daemon, at: "2026-05-01T01:03:09Z")
        #expect(f.launcher.children.count == 2)
        await f.tick(daemon, at: "2026-05-01T01:03:10Z")
        #expect(f.launcher.children.count == 3)
        try f.launcher.children[2].finish(unreachable("r-3"))
        await f.tick(daemon, at: "2026-05-01T01:03:20Z")
        history = try await f.history("topup")
        #expect(history.map(\.attempt) == [1, 2, 3])
        #expect(history.map(\.status) == [.failed, .failed, .failed])
        #expect(history.map(\.runID) == ["r-1", "r-2", "r-3"])
        #expect(history[2].reason?.hasSuffix("no retry left (3 attempts)") == true)
        #expect(await daemon.runningCount == 0)
    }

    @Test("a retry that succeeds ends the slot's attempts", arguments: StoreKind.allCases)
    func retrySucceeds(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:30:00Z", store: store)
        let daemon = f.daemon([try job("0 * * * *", retry: Self.policy)])
        await f.tick(daemon, at: "2026-05-01T01:00:00Z")
        try f.launcher.children[0].finish(RunReceipt(runID: "r-1", status: .timedOut, exitCode: 3, error: "time limit"))
        await f.tick(daemon, at: "2026-05-01T01:00:30Z")
        await f.tick(daemon, at: "2026-05-01T01:01:30Z")
        try f.launcher.children[1].finish(RunReceipt(runID: "r-2", status: .succeeded, exitCode: 0, writesSent: 4, creditsMoved: 200))
        await f.tick(daemon, at: "2026-05-01T01:01:40Z")
        await f.tick(daemon, at: "2026-05-01T01:10:00Z")
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.timedOut, .succeeded])
        #expect(history.map(\.attempt) == [1, 2])
        #expect(history[1].writesSent == 4)
        #expect(f.launcher.children.count == 2)
    }

    @Test("outcome unknown, partial runs, refusals, script errors and runs that notified are never retried", arguments: [
        RunReceipt(runID: "r", status: .outcomeUnknown, exitCode: 4, error: "outcome unknown", errorKind: "outcome unknown", writesSent: 1),
        RunReceipt(runID: "r", status: .failed, exitCode: 1, error: "transport failure", errorKind: "transport failure", writesSent: 2),
        RunReceipt(runID: "r", status: .refused, exitCode: 2, error: "not granted", errorKind: "not granted"),
        RunReceipt(runID: "r", status: .failed, exitCode: 1, error: "topup.lua:3: attempt to index a nil value"),
        RunReceipt(runID: "r", status: .failed, exitCode: 1, error: "panel refused: NOT EXISTS", errorKind: "panel refused"),
        RunReceipt(runID: "r", status: .syntaxError, exitCode: 5, error: "topup.lua:1: unexpected symbol"),
        RunReceipt(runID: "r", status: .memoryLimit, exitCode: 3, error: "memory limit"),
        RunReceipt(runID: "r", status: .failed, exitCode: 1, error: "transport failure", errorKind: "transport failure", notificationsSent: 1),
    ])
    func neverRetried(receipt: RunReceipt) async throws {
        for store in StoreKind.allCases {
            let f = try await DaemonFixture(start: "2026-05-01T00:30:00Z", store: store)
            let daemon = f.daemon([try job("0 * * * *", retry: Self.policy)])
            await f.tick(daemon, at: "2026-05-01T01:00:00Z")
            try f.launcher.children[0].finish(receipt)
            await f.tick(daemon, at: "2026-05-01T01:00:05Z")
            await f.tick(daemon, at: "2026-05-01T01:30:00Z")
            let history = try await f.history("topup")
            #expect(history.map(\.status) == [receipt.status], "\(store)")
            #expect(history.map(\.attempt) == [1])
            #expect(f.launcher.children.count == 1)
        }
    }

    @Test("a child that left no receipt (killed by a signal) is recorded crashed and not retried", arguments: StoreKind.allCases)
    func noReceiptNoRetry(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:30:00Z", store: store)
        let daemon = f.daemon([try job("0 * * * *", retry: Self.policy)])
        await f.tick(daemon, at: "2026-05-01T01:00:00Z")
        f.launcher.children[0].kill(signal: SIGKILL)
        await f.tick(daemon, at: "2026-05-01T01:00:05Z")
        await f.tick(daemon, at: "2026-05-01T01:30:00Z")
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.crashed])
        #expect(history[0].reason?.hasPrefix("killed by signal 9 before it could report how the run ended") == true)
        #expect(f.launcher.children.count == 1)
    }

    @Test("a retry that would start after the job's next slot is not made, and the failed run says so", arguments: StoreKind.allCases)
    func nextSlotComesFirst(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:00:30Z", store: store)
        let daemon = f.daemon([try job("*/2 * * * *", retry: JobRetryPolicy(attempts: 3, delay: 300))])
        await f.tick(daemon, at: "2026-05-01T00:02:00Z")
        try f.launcher.children[0].finish(unreachable())
        await f.tick(daemon, at: "2026-05-01T00:02:10Z")
        await f.tick(daemon, at: "2026-05-01T00:04:00Z")
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.failed, .running])
        #expect(history.map(\.attempt) == [1, 1])
        #expect(history[0].reason?.hasSuffix("not retried: the next slot (2026-05-01T00:04:00+00:00) comes before attempt 2 would start") == true)
    }

    @Test("a pending retry keeps the job busy: the overlap policy applies to a slot that comes meanwhile", arguments: StoreKind.allCases)
    func pendingRetryIsBusy(store: StoreKind) async throws {
        let f = try await DaemonFixture(start: "2026-05-01T00:04:30Z", store: store, lateAfter: 600, maxRunning: 1)
        let daemon = f.daemon([
            try job("*/5 * * * *", retry: JobRetryPolicy(attempts: 2, delay: 60)),
            try job("6 0 * * *", name: "hog"),
        ])
        await f.tick(daemon, at: "2026-05-01T00:05:00Z")
        try f.launcher.children[0].finish(unreachable())
        await f.tick(daemon, at: "2026-05-01T00:05:10Z")
        // The hog takes the only place before the retry is due, so the retry waits into the next slot.
        await f.tick(daemon, at: "2026-05-01T00:06:00Z")
        await f.tick(daemon, at: "2026-05-01T00:06:11Z")
        await f.tick(daemon, at: "2026-05-01T00:10:00Z")
        #expect(f.launcher.children.map(\.request.job) == ["topup", "hog"])
        let history = try await f.history("topup")
        #expect(history.map(\.status) == [.failed, .queued, .skipped])
        #expect(history.map(\.attempt) == [1, 2, 1])
        #expect(history[2].reason == "a retry of an earlier slot was still waiting to start (overlap policy skip)")
        // Once the place is free, the retry runs: the older slot first.
        f.launcher.children[1].finish()
        await f.tick(daemon, at: "2026-05-01T00:10:01Z")
        #expect(f.launcher.children.last?.request.environment["NIGHTSHIFT_ATTEMPT"] == "2")
    }
}

@Suite("what a receipt says about retrying")
struct ReceiptRetryableTests {
    @Test("only a run that sent nothing and could not use the panel, or ran out of time, is retryable", arguments: [
        (RunStatus.failed, "transport failure", 0, 0, true),
        (.failed, "timed out", 0, 0, true),
        (.timedOut, nil, 0, 0, true),
        (.failed, "transport failure", 1, 0, false),
        (.failed, "transport failure", 0, 1, false),
        (.timedOut, nil, 3, 0, false),
        (.outcomeUnknown, "outcome unknown", 0, 0, false),
        (.failed, "panel refused", 0, 0, false),
        (.failed, "not authorised", 0, 0, false),
        (.failed, nil, 0, 0, false),
        (.refused, "credit cap", 0, 0, false),
        (.succeeded, nil, 0, 0, false),
        (.interrupted, nil, 0, 0, false),
    ] as [(RunStatus, String?, Int, Int, Bool)])
    func retryable(status: RunStatus, kind: String?, writes: Int, notifications: Int, expected: Bool) {
        let receipt = RunReceipt(
            runID: "r", status: status, exitCode: RunExitCode(status).rawValue, errorKind: kind, writesSent: writes,
            notificationsSent: notifications)
        #expect(receipt.retryable == expected)
    }

    @Test("a receipt from before `retryable` existed reads as not retryable, with no notification")
    func olderReceipt() throws {
        let json = #"{"run_id":"r","status":"failed","exit_code":1,"error_kind":"transport failure","writes_sent":0,"credits_moved":0}"#
        let receipt = try JSONDecoder().decode(RunReceipt.self, from: Data(json.utf8))
        #expect(!receipt.retryable)
        #expect(receipt.notificationsSent == 0)
    }
}
