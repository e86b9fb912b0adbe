import Foundation
import Logging
import NightshiftCore
import NotifyDelivery
import ServiceLifecycle
import Synchronization

/// Tells people about job runs: a JSON POST to a job's `webhook`, healthchecks.io-style
/// pings to its `ping` URL, its `command` with the JSON on standard input. Every delivery is
/// recorded in the store (`nightshift history --notifications`), with URLs redacted.
///
/// The daemon reports to it through `SchedulerEvents` and never waits for it: each delivery
/// runs in a task of its own, one attempt at a time with a timeout, retried with backoff
/// when nothing reached the receiver or it answered 5xx or 429. An attempt that timed out
/// after sending is not repeated (at most once: the receiver may have it). As a `Service`
/// placed before the daemon in a `ServiceGroup`, it stops after the daemon: deliveries
/// still under way get `NotificationTuning.shutdownGrace`, then are recorded as not sent (or
/// unknown, if an attempt was in flight).
public final class JobNotifier: SchedulerEvents, Service {
    private struct Delivery {
        var record: NotificationRecord
        var attempts = 0
        var inFlight = false
        var last: NotifyReceipt?
    }

    private struct State {
        var nextKey = 0
        var work: [Int: Task<Void, Never>?] = [:]
        var deliveries: [Int: Delivery] = [:]
        var pings: [Int64: (rid: UUID, start: Task<Void, Never>?)] = [:]
        var closed = false
    }

    private let store: any ObservationStore & Sendable
    private let logger: Logger
    private let tuning: NotificationTuning
    private let clock: any WallClock
    private let onDelivery: @Sendable (NotificationRecord) -> Void
    private let state = Mutex(State())

    /// Creates a notifier.
    /// - Parameters:
    ///   - store: where deliveries are recorded and previous runs looked up.
    ///   - tuning: timeouts, retries and the shutdown grace.
    ///   - clock: the time recorded on each delivery.
    ///   - onDelivery: called with each recorded delivery (metrics count them).
    public init(
        store: any ObservationStore & Sendable, logger: Logger, tuning: NotificationTuning = NotificationTuning(),
        clock: any WallClock = SystemClock(), onDelivery: @escaping @Sendable (NotificationRecord) -> Void = { _ in }
    ) {
        self.store = store
        self.logger = logger
        self.tuning = tuning
        self.clock = clock
        self.onDelivery = onDelivery
    }

    // MARK: Events

    public func runStarted(_ run: JobRun, job: Job) {
        let notify = job.notify
        if let ping = notify.ping {
            let rid = UUID()
            let start = spawn { [self] in
                await deliver(
                    NotificationRecord(run: run, event: "start", kind: .ping, target: URLRedaction.redact(ping)),
                    secrets: notify.secrets
                ) { [tuning] in
                    await HTTPDelivery.send(
                        [], to: Self.pingURL(ping, suffix: "/start", rid: rid), contentType: nil,
                        timeout: tuning.attemptTimeout, receiver: "the ping")
                }
            }
            state.withLock { $0.pings[run.id] = (rid, start) }
        }
        if run.kind == .catchUp {
            announce(JobNotification(event: .missed, run: run, zone: job.zone), job: job)
        }
    }

    public func runFinished(_ run: JobRun, job: Job?, retrying: Bool) {
        let ping = state.withLock { $0.pings.removeValue(forKey: run.id) }
        guard let job, job.notify.hasTargets else { return }
        // An attempt that failed with another one queued is not the slot's outcome: the ping
        // still says this attempt failed, the webhook and command wait for the last attempt.
        let announces = !(retrying && run.status != .succeeded)
        let notify = job.notify
        spawn { [self] in
            let event: JobNotify.Event
            var previous: RunStatus?
            if run.status == .succeeded {
                // Only the run before this one can make it a recovery; asked only if it matters.
                if notify.on.contains(.recovered) {
                    previous = try? await store.previousFinishedRun(job: run.job, before: run.id)?.status
                }
                event = previous.map { $0 != .succeeded } == true ? .recovered : .success
            } else {
                event = run.status == .outcomeUnknown ? .outcomeUnknown : .failure
            }
            let tail = run.log.flatMap { Self.tail(of: $0, bytes: tuning.outputTail) }
                .map { URLRedaction.redact($0, urls: notify.secrets) }
            if announces {
                announce(
                    JobNotification(
                        event: event, run: run, zone: job.zone, outputTail: tail, previousStatus: previous,
                        exitCodesKnown: job.command == nil),
                    job: job)
            }
            guard let url = notify.ping else { return }
            let success = run.status == .succeeded
            let body = Array((JobNotification(event: event, run: run, zone: job.zone).text + "\n" + (tail ?? "")).utf8)
            let record = NotificationRecord(
                run: run, event: success ? "success" : "fail", kind: .ping, target: URLRedaction.redact(url))
            // After the start ping has ended, so that the receiver sees them in order.
            await ping?.start?.value
            await deliver(record, secrets: notify.secrets) { [tuning] in
                await HTTPDelivery.send(
                    body, to: Self.pingURL(url, suffix: success ? "" : "/fail", rid: ping?.rid),
                    contentType: "text/plain; charset=utf-8", timeout: tuning.attemptTimeout, receiver: "the ping")
            }
        }
    }

    public func slotSkipped(_ run: JobRun, job: Job, missed: Int) {
        announce(JobNotification(event: .missed, run: run, zone: job.zone, missedSlots: missed), job: job)
    }

    public func ticked(_ tick: SchedulerTick) {}

    public func approvalNeeded(_ run: JobRun, job: Job, request: ApprovalRequest) {
        announce(JobNotification(event: .approvalNeeded, run: run, zone: job.zone, approval: request), job: job)
    }


    // MARK: Deliveries

    /// Sends `message` to the job's webhook and command, if its event is one they want.
    private func announce(_ message: JobNotification, job: Job) {
        let notify = job.notify
        guard notify.on.contains(message.event) else { return }
        let body = message.json()
        let event = message.event.rawValue
        if let url = notify.webhook {
            spawn { [self] in
                await deliver(
                    NotificationRecord(run: message.run, event: event, kind: .webhook, target: URLRedaction.redact(url)),
                    secrets: notify.secrets
                ) { [tuning] in await HTTPDelivery.send(body, to: url, timeout: tuning.attemptTimeout) }
            }
        }
        if let command = notify.command {
            let environment: [String: String?] = [
                "NIGHTSHIFT_JOB": message.run.job, "NIGHTSHIFT_EVENT": event, "NIGHTSHIFT_SLOT": String(message.run.slot),
            ]
            spawn { [self] in
                await deliver(
                    NotificationRecord(run: message.run, event: event, kind: .command, target: command[0]),
                    secrets: notify.secrets
                ) { [tuning] in
                    await CommandDelivery.run(command, input: body, timeout: tuning.attemptTimeout, environment: environment)
                }
            }
        }
    }

    /// One delivery: attempts with retries, then one record in the store.
    private func deliver(
        _ record: NotificationRecord, secrets: [String], attempt: @escaping @Sendable () async -> NotifyReceipt
    ) async {
        guard let key = begin(record) else {
            await finish(record, receipt: NotifyReceipt(outcome: .notSent, detail: "the daemon was shutting down", attempts: 0))
            return
        }
        let kind = record.targetKind
        let receipt = await DeliveryRetry.deliver(
            delays: tuning.retryDelays, shouldRetry: { Self.worthRetrying($0, kind: kind) }
        ) { [self] in
            state.withLock {
                $0.deliveries[key]?.attempts += 1
                $0.deliveries[key]?.inFlight = true
            }
            let receipt = await attempt()
            state.withLock {
                $0.deliveries[key]?.inFlight = false
                $0.deliveries[key]?.last = receipt
            }
            return receipt
        }
        // Nil when shutdown already recorded it.
        guard state.withLock({ $0.deliveries.removeValue(forKey: key) }) != nil else { return }
        var redacted = receipt
        redacted.detail = URLRedaction.redact(receipt.detail, urls: secrets)
        await finish(record, receipt: redacted)
    }

    /// Retried: nothing reached the receiver, or it said to try later (5xx, 429). Never after
    /// a timeout or a failure once the message was sent, and never a command that ran and failed.
    static func worthRetrying(_ receipt: NotifyReceipt, kind: NotificationRecord.TargetKind) -> Bool {
        switch receipt.outcome {
        case .notSent: return true
        case .rejected:
            guard kind != .command, let status = receipt.status else { return false }
            return status >= 500 || status == 429
        case .delivered, .unknown: return false
        }
    }

    private func begin(_ record: NotificationRecord) -> Int? {
        state.withLock { state in
            guard !state.closed else { return nil }
            state.nextKey += 1
            state.deliveries[state.nextKey] = Delivery(record: record)
            return state.nextKey
        }
    }

    private func finish(_ record: NotificationRecord, receipt: NotifyReceipt) async {
        var record = record
        record.outcome = receipt.outcome
        record.attempts = receipt.attempts
        record.detail = receipt.detail
        record.at = clock.now()
        // In a task of its own: a delivery cut off by shutdown (cancelled) is still recorded.
        let store = self.store
        let stored = await Task { [record] () -> String? in
            do {
                try await store.recordNotification(record)
                return nil
            } catch {
                return "\(error)"
            }
        }.value
        if let stored { logger.error("cannot record a notification delivery: \(stored)", metadata: ["job": "\(record.job)"]) }
        onDelivery(record)
        let metadata: Logger.Metadata = [
            "job": "\(record.job)", "event": "\(record.event)", "target": "\(record.targetKind.rawValue) \(record.target)",
            "outcome": "\(record.outcome.rawValue)", "attempts": "\(record.attempts)", "detail": "\(record.detail)",
        ]
        if record.outcome == .delivered {
            logger.info("notification delivered", metadata: metadata)
        } else {
            logger.warning("notification not delivered", metadata: metadata)
        }
    }

    /// Runs `body` in a task of its own, tracked until it ends so that shutdown can wait for it.
    @discardableResult
    private func spawn(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never>? {
        let key: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            state.nextKey += 1
            state.work[state.nextKey] = .some(nil)
            return state.nextKey
        }
        guard let key else { return nil }
        let task = Task { [self] in
            await body()
            _ = state.withLock { $0.work.removeValue(forKey: key) }
        }
        state.withLock { state in
            if state.work[key] != nil { state.work[key] = task }
        }
        return task
    }

    // MARK: Shutdown

    /// Waits until graceful shutdown, then for deliveries under way (see `drain`).
    public func run() async throws {
        try? await gracefulShutdown()
        await drain()
    }

    /// Lets deliveries under way finish within the grace period, then records each one left
    /// as not sent (or unknown, if an attempt was in flight) and stops it. No new delivery
    /// starts afterwards.
    public func drain() async {
        let deadline = ContinuousClock.now + tuning.shutdownGrace
        // A second signal cancels the group: then there is no grace (sleeps would not wait).
        while ContinuousClock.now < deadline, !Task.isCancelled, state.withLock({ !$0.work.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let (left, tasks) = state.withLock { state -> ([Delivery], [Task<Void, Never>]) in
            state.closed = true
            let left = Array(state.deliveries.values)
            state.deliveries.removeAll()
            return (left, state.work.values.compactMap { $0 })
        }
        for delivery in left.sorted(by: { $0.record.runID < $1.record.runID }) {
            let receipt: NotifyReceipt
            if delivery.inFlight {
                receipt = NotifyReceipt(
                    outcome: .unknown, detail: "the daemon shut down during an attempt; it may or may not have arrived",
                    attempts: delivery.attempts)
            } else {
                let before = delivery.last.map { "; last attempt: \($0.detail)" } ?? ""
                receipt = NotifyReceipt(
                    outcome: .notSent, detail: "the daemon shut down before it was delivered\(before)",
                    attempts: delivery.attempts)
            }
            await finish(delivery.record, receipt: receipt)
        }
        // Cancelled, they end at once: an attempt stops, a wait for a retry returns, and a
        // delivery not begun yet is recorded as not sent.
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    // MARK: Helpers

    /// healthchecks.io's ping URLs: `URL/start`, `URL`, `URL/fail`, each with `?rid=`.
    static func pingURL(_ base: String, suffix: String, rid: UUID?) -> String {
        var url = base
        while url.hasSuffix("/") { url.removeLast() }
        return url + suffix + (rid.map { "?rid=\($0.uuidString.lowercased())" } ?? "")
    }

    /// The last `bytes` of a file, from the first whole UTF-8 character on; nil if unreadable.
    static func tail(of path: String, bytes: Int) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return nil }
        try? handle.seek(toOffset: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
        guard var data = try? handle.readToEnd() else { return "" }
        // Cut in the middle of a character: drop its continuation bytes.
        while let first = data.first, first & 0xC0 == 0x80 { data.removeFirst() }
        return String(decoding: data, as: UTF8.self)
    }
}

extension NotificationRecord {
    /// A delivery about `run` not made yet.
    fileprivate init(run: JobRun, event: String, kind: TargetKind, target: String) {
        self.init(
            runID: run.id, job: run.job, event: event, targetKind: kind, target: target, outcome: .notSent, attempts: 0,
            detail: "", at: 0)
    }
}
