import Foundation
import Logging
import NightshiftCore
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// The scheduling daemon: wakes on a short tick, re-reads the wall clock, offers due slots
/// to the store, claims as many waiting runs as it has free places and runs them as child
/// processes through a `RunLauncher`.
///
/// Every tick is a pure function of the clock's time and the store, so tests call
/// `tick(now:)` with exact instants; `run()` only repeats ticks until graceful shutdown.
/// A slot is a row in the store (unique job + slot) from the moment it is offered, and is
/// claimed by one daemon before its child starts, so after any crash a restart never runs
/// it again, and of several daemons on one store only the one that claimed it runs it. A
/// daemon claims only what it can start now (SchedulerDaemon+Capacity): a slot it has no
/// place for waits in the store for any daemon with a place. When the store has a clock of
/// its own (PostgreSQL), the daemon schedules by that clock, not its own. Runs left
/// unfinished by this host are reconciled on start (SchedulerDaemon+Recovery); runs of a
/// host whose lease expired are marked interrupted by any survivor.
public actor SchedulerDaemon: Service {
    struct ActiveRun {
        var id: Int64
        var slot: Int64
        var child: any RunningChild
        var deadline: Double
        /// Where `nightshift run` leaves its receipt; nil for a custom command.
        var receipt: String?
        var killedFor: RunStatus?
        var kind: RunKind = .scheduled
        var startedAt: Double = 0
        var log: String?
        /// 1 for a slot's first run, 2… for its retries.
        var attempt = 1
    }

    /// A run this daemon holds and has not started: one it just claimed, or one an earlier
    /// daemon of this host claimed and never started (SchedulerDaemon+Recovery).
    struct PendingRun {
        var id: Int64
        var slot: Int64
        var kind: RunKind
        /// 1 for a slot's first run, 2… for its retries.
        var attempt = 1
        /// A retry starts no earlier than this (the store's clock).
        var notBefore: Double?
    }

    struct JobState {
        var job: Job
        var cursor: Int64
        var storedCursor: Int64?
        var next: Int64?
        var running: [ActiveRun] = []
        var pending: [PendingRun] = []
        var removed = false
    }

    var settings: SchedulerSettings
    let store: any SchedulerStore
    let launcher: any RunLauncher
    let clock: any WallClock
    let runner: [String]
    let logger: Logger
    private let reloadSource: (@Sendable () throws -> JobConfiguration)?
    let events: any SchedulerEvents
    var jobs: [String: JobState] = [:]
    private var order: [String] = []
    private var pausedOverrides: [String: Bool] = [:]
    private var lastDataVersion: Int64 = -1
    private var movedCursors: Set<String> = []
    // The slots due in a tick are offered together, in one statement, at its end.
    private var batchedOffers: [SlotOffer] = []
    // Whether a run may wait in the store for a place: the snapshot counted one, or this
    // tick offered one. Without, a tick sends no claim.
    var mayBeWaiting = false
    // Pool sizes the store has not taken yet (set on start and reload).
    private var unsavedPools: [String: Int]?
    // When this daemon first ticked, in the store's clock (its heartbeat row).
    var startedAt: Double?
    private var nextHeartbeat: Double = -.infinity
    private var storeFailing = false
    var recovered = false
    var shuttingDown = false
    // An idle tick must cost next to nothing with thousands of jobs: it only compares the
    // clock with the earliest due start and looks at the jobs that have runs.
    private var nextDue: Int64 = .min
    var busyJobs: Set<String> = []
    private var nextPrune: Int64 = .min
    // Ends of runs the store did not take yet (SchedulerDaemon+UnsavedEnds).
    var unsavedEnds: [UnsavedEnd] = []

    /// Creates a daemon.
    /// - Parameters:
    ///   - configuration: the jobs and settings to start with.
    ///   - store: state and history; the daemon reads its cursors on the first tick.
    ///   - launcher: starts children; `ProcessLauncher` in production.
    ///   - runner: the program (and leading arguments) that runs a script, used when the
    ///     configuration has no `runner`; the executable passes itself.
    ///   - clock: the wall clock.
    ///   - reload: reads the configuration again on `reload()` (SIGHUP).
    ///   - events: told about runs, skipped slots and ticks (notifications, metrics).
    public init(
        configuration: JobConfiguration, store: any SchedulerStore, launcher: any RunLauncher, runner: [String],
        clock: any WallClock, logger: Logger, reload: (@Sendable () throws -> JobConfiguration)? = nil,
        events: any SchedulerEvents = NoSchedulerEvents()
    ) {
        self.events = events
        self.settings = configuration.settings
        self.store = store
        self.launcher = launcher
        self.runner = configuration.settings.runner ?? runner
        self.clock = clock
        self.logger = logger
        self.reloadSource = reload
        self.pendingConfiguration = configuration
        self.createdAt = clock.now()
    }

    // The jobs are set up on the first tick, when the store's cursors and clock are known.
    private var pendingConfiguration: JobConfiguration?
    private var pendingIsInitial = true
    // A job seen for the first time starts from the moment the daemon was made.
    private let createdAt: Double
    // The store's clock minus the daemon's, as of the last tick.
    private var storeOffset: Double = 0

    private static func state(for job: Job, stored: Int64?, now: Int64) -> JobState {
        // A job seen for the first time starts now: slots before it existed are not missed.
        let cursor = stored ?? now
        var times = FireTimes(schedule: job.schedule, zone: job.zone, after: cursor)
        return JobState(job: job, cursor: cursor, storedCursor: stored, next: times.next())
    }

    // MARK: Service

    /// Ticks until graceful shutdown (SIGTERM), then lets running jobs finish within the
    /// grace period and cancels the rest.
    public func run() async throws {
        logger.info(
            "scheduler started",
            metadata: ["jobs": "\(pendingConfiguration?.jobs.count ?? order.count)", "store": "\(store.location)", "host": "\(store.host)"])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await tick(now: clock.now())
            try? await Task.sleep(for: .milliseconds(Int(settings.tick * 1000)))
        }
        await shutDown()
    }

    /// Stops starting runs, waits up to the grace period for running children, then kills
    /// what remains and records it as cancelled.
    public func shutDown() async {
        shuttingDown = true
        let deadline = storeNow() + Double(settings.shutdownGrace)
        logger.info("shutting down", metadata: ["running": "\(runningCount)", "grace": "\(settings.shutdownGrace)s"])
        for name in order { await cancelPending(name, reason: "the daemon shut down before the run started") }
        // If the task is cancelled (a second signal), skip the grace period: sleeps would
        // return at once and these loops would spin.
        while runningCount > 0 && storeNow() < deadline && !Task.isCancelled {
            await reap(now: storeNow())
            if runningCount == 0 { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        for name in Array(jobs.keys) {
            for index in jobs[name]!.running.indices where jobs[name]!.running[index].killedFor == nil {
                jobs[name]!.running[index].killedFor = .cancelled
                jobs[name]!.running[index].child.kill(signal: SIGTERM)
            }
        }
        let killAt = storeNow() + 2
        while runningCount > 0 && storeNow() < killAt && !Task.isCancelled {
            await reap(now: storeNow())
            try? await Task.sleep(for: .milliseconds(50))
        }
        for state in jobs.values { for run in state.running { run.child.kill(signal: SIGKILL) } }
        while runningCount > 0 {
            await reap(now: storeNow())
            // SIGKILL cannot be caught; the children are gone within milliseconds.
            if runningCount > 0 { usleep(10_000) }
        }
        await flushUnsavedEnds()
        while !unsavedEnds.isEmpty && storeNow() < deadline + 2 && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            await flushUnsavedEnds()
        }
        if !unsavedEnds.isEmpty {
            logger.error(
                "the store did not answer: ends of runs not recorded; the next start reads them from their result files",
                metadata: ["runs": "\(unsavedEnds.map(\.id))"])
        }
        if startedAt != nil { await recordDaemon(now: storeNow(), stopped: true) }
        logger.info("scheduler stopped")
    }

    /// Reads the configuration again (SIGHUP); the new jobs take effect on the next tick.
    /// A broken configuration keeps the old one.
    /// - Returns: nil on success, else the reason the old configuration stays.
    @discardableResult
    public func reload() -> String? {
        guard let reloadSource else { return "no configuration source to reload from" }
        do {
            let configuration = try reloadSource()
            apply(configuration)
            logger.info("configuration reloaded", metadata: ["jobs": "\(configuration.jobs.count)"])
            return nil
        } catch {
            logger.error("configuration not reloaded, keeping the previous one: \(error)")
            return "\(error)"
        }
    }

    /// Replaces the jobs at the start of the next tick (never in the middle of one, whose
    /// store calls may be in flight); running and queued runs of kept jobs continue, removed
    /// jobs' runs finish but no new slot of theirs starts. Settings other than `tick`,
    /// `late_after` and `shutdown_grace` take effect on restart.
    public func apply(_ configuration: JobConfiguration) {
        pendingConfiguration = configuration
        pendingIsInitial = false
    }

    private func apply(_ configuration: JobConfiguration, at time: Double) async {
        pendingConfiguration = nil
        nextDue = .min
        let stored = (try? await store.cursors()) ?? [:]
        let now = Int64(time.rounded(.down))
        var newOrder: [String] = []
        for job in configuration.jobs {
            newOrder.append(job.name)
            if var state = jobs[job.name], !state.removed {
                let scheduleChanged = state.job.schedule != job.schedule || state.job.zone.identifier != job.zone.identifier
                state.job = job
                if scheduleChanged {
                    var times = FireTimes(schedule: job.schedule, zone: job.zone, after: state.cursor)
                    state.next = times.next()
                }
                jobs[job.name] = state
            } else {
                jobs[job.name] = Self.state(for: job, stored: stored[job.name], now: now)
            }
        }
        for name in order where !newOrder.contains(name) { jobs[name]?.removed = true }
        order = newOrder + order.filter { !newOrder.contains($0) && !(jobs[$0]?.running.isEmpty ?? true) }
        settings.tick = configuration.settings.tick
        settings.lateAfter = configuration.settings.lateAfter
        settings.shutdownGrace = configuration.settings.shutdownGrace
        settings.killAfter = configuration.settings.killAfter
        settings.keepHistory = configuration.settings.keepHistory
        settings.maxRunning = configuration.settings.maxRunning
        settings.pools = configuration.settings.pools
        var pools = configuration.settings.pools
        for job in configuration.jobs { if let limit = job.maxRunningCluster { pools[PoolName.jobPrefix + job.name] = limit } }
        unsavedPools = pools.isEmpty ? nil : pools
    }

    // MARK: Ticks

    /// The store's clock as of the last tick's measure of it; run deadlines are in this clock.
    func storeNow() -> Double { clock.now() + storeOffset }

    /// Number of children running now.
    public var runningCount: Int { busyJobs.reduce(0) { $0 + (jobs[$1]?.running.count ?? 0) } }

    /// The next slot each job waits for (seconds since the epoch).
    public var nextSlots: [String: Int64] { jobs.compactMapValues { $0.removed ? nil : $0.next } }

    /// One wake-up at `now` (seconds since the epoch): reap and time out children, take
    /// pauses and triggers from the store, offer due slots, claim and start as many waiting
    /// runs as there are free places.
    ///
    /// `now` is the daemon's clock; when the store has a clock of its own (PostgreSQL) the
    /// tick runs on the store's clock instead, so hosts whose clocks differ agree on when a
    /// slot is due.
    public func tick(now local: Double) async {
        let snapshot: StoreSnapshot
        do {
            snapshot = try await store.snapshot(at: local + storeOffset, lateAfter: settings.lateAfter)
            if storeFailing { logger.info("the store answers again", metadata: ["store": "\(store.location)"]) }
            storeFailing = false
        } catch {
            // Without the store nothing can be claimed; children still end and are reaped.
            if !storeFailing { logger.error("cannot reach the store; no slot starts until it answers: \(error)") }
            storeFailing = true
            await reap(now: local + storeOffset)
            events.ticked(SchedulerTick(time: local, storeAnswered: false, running: runningCount, free: freePlaces))
            return
        }
        let now = snapshot.now ?? local
        storeOffset = now - local
        defer {
            events.ticked(
                SchedulerTick(time: local, storeAnswered: true, running: runningCount, free: freePlaces, waiting: snapshot.waiting))
        }
        // A run recorded interrupted lets the next run of its job (or its pool) start.
        mayBeWaiting = snapshot.waiting > 0 || !snapshot.interrupted.isEmpty
        for expiry in snapshot.interrupted {
            logger.warning(
                "run interrupted: its host stopped renewing its lease",
                metadata: ["job": "\(expiry.job)", "slot": "\(expiry.slot)", "host": "\(expiry.host)"])
        }
        if let configuration = pendingConfiguration {
            await apply(configuration, at: pendingIsInitial ? createdAt + storeOffset : now)
        }
        if let pools = unsavedPools {
            do {
                try await store.setPools(pools)
                unsavedPools = nil
            } catch {
                logger.error("cannot record the pools' sizes; runs of pooled jobs wait until it works: \(error)")
            }
        }
        await flushUnsavedEnds()
        if !recovered { await recoverUnfinished(now: now) }
        await reap(now: now)
        guard !shuttingDown else { return }
        if now >= nextHeartbeat { await heartbeat(now: now) }
        await readControl(version: snapshot.controlVersion)
        let second = Int64(now.rounded(.down))
        if second >= nextDue {
            for name in order { await schedule(name, now: second) }
            await offerBatched(now: now)
            await saveCursors()
            nextDue = earliestDue()
        }
        await claimAndStart(now: now)
        // After this daemon's own claim: a run it had a place for is started, not skipped.
        if snapshot.late { await skipLate(now: now) }
        if second >= nextPrune { await prune(now: second) }
    }

    /// Writes this daemon's row (`jobs status`) and renews the leases of this host's runs,
    /// three times per lease.
    private func heartbeat(now: Double) async {
        nextHeartbeat = now + max(store.lease / 3, 0.05)
        await recordDaemon(now: now)
        let held = busyJobs.flatMap { name in
            (jobs[name]?.running.map(\.id) ?? []) + (jobs[name]?.pending.map(\.id) ?? [])
        } + unsavedEnds.map(\.id)
        guard !held.isEmpty else { return }
        do {
            let lost = try await store.renewLeases(ids: held)
            for id in lost.sorted() {
                logger.warning(
                    "a run's lease expired before it was renewed; another host recorded it interrupted",
                    metadata: ["run": "\(id)"])
            }
        } catch {
            logger.error("cannot renew leases: \(error)")
        }
    }

    /// Deletes history and logs older than `keep_history`, at most once an hour.
    private func prune(now: Int64) async {
        nextPrune = now + 3600
        guard settings.keepHistory > 0 else { return }
        do {
            let logs = try await store.prune(before: now - settings.keepHistory)
            for log in logs { try? FileManager.default.removeItem(atPath: log) }
            if !logs.isEmpty { logger.info("old history pruned", metadata: ["runs": "\(logs.count)"]) }
        } catch {
            logger.error("cannot prune old history: \(error)")
        }
    }

    private func earliestDue() -> Int64 {
        var earliest = Int64.max
        for state in jobs.values where !state.removed {
            if let next = state.next { earliest = min(earliest, next + state.job.jitterDelay(forSlot: next)) }
        }
        return earliest
    }

    private func reap(now: Double) async {
        for name in busyJobs.sorted() {
            guard let state = jobs[name], !state.running.isEmpty else { continue }
            var still: [ActiveRun] = []
            for var run in state.running {
                if run.killedFor == nil && now >= run.deadline {
                    run.killedFor = .timedOut
                    run.child.kill(signal: SIGKILL)
                    // SIGKILL cannot be caught: wait briefly so the next slot sees the job idle.
                    for _ in 0..<100 where run.child.poll() == nil { usleep(2000) }
                    logger.warning("run killed at its deadline", metadata: ["job": "\(name)", "slot": "\(run.slot)"])
                }
                guard let exit = run.child.poll() else {
                    announceApproval(of: run, job: state.job)
                    still.append(run)
                    continue
                }
                await record(exit, of: run, job: name, now: now)
            }
            // Only the running list: recording an end may have queued a retry meanwhile.
            jobs[name]?.running = still
            releaseIfIdle(name)
        }
    }

    func record(_ exit: ChildExit, of run: ActiveRun, job: String, now: Double) async {
        // The end may let a run wait no more: the next of a serial job (not counted as
        // waiting for a place while this one held the job).
        mayBeWaiting = true
        let receipt = run.receipt.flatMap(RunReceipt.read(from:))
        var end = RunEnd(exit: exit, receipt: receipt, script: run.receipt != nil)
        var retrying = false
        if let killedFor = run.killedFor {
            end.status = killedFor
            end.reason = killedFor == .timedOut
                ? "killed at its deadline (timeout \(DurationText.text(jobs[job]?.job.runLimit ?? 0)))"
                : "killed at shutdown after the grace period"
        } else if let receipt {
            // Claimed before this end is written: a crash in between loses the retry, never doubles it.
            retrying = await retryIfWorthIt(
                job: job, slot: run.slot, kind: run.kind, attempt: run.attempt, receipt: receipt, end: &end, now: now)
        }
        let store = self.store
        let events = self.events
        var finished = JobRun(
            id: run.id, job: job, slot: run.slot, kind: run.kind, status: end.status, reason: end.reason,
            startedAt: run.startedAt, finishedAt: now, exitCode: end.exitCode, signal: end.signal, pid: run.child.pid,
            log: run.log, host: store.host, runID: end.runID, writesSent: end.writesSent, creditsMoved: end.creditsMoved,
            attempt: run.attempt)
        finished.panels = receipt?.panels
        let definition = jobs[job].flatMap { $0.removed ? nil : $0.job }
        await saveEnd(
            id: run.id, job: job, receipt: run.receipt,
            { [end] in try await store.finish(id: run.id, end, at: now) },
            then: { [retrying, finished] in events.runFinished(finished, job: definition, retrying: retrying) })
        logger.info("run ended", metadata: ["job": "\(job)", "slot": "\(run.slot)", "status": "\(end.status.rawValue)"])
    }

    private func readControl(version: Int64) async {
        guard version != lastDataVersion else { return }
        lastDataVersion = version
        pausedOverrides = (try? await store.pausedOverrides()) ?? pausedOverrides
        let known = Set(jobs.filter { !$0.value.removed }.keys)
        guard let triggers = try? await store.takeTriggers(jobs: known) else { return }
        for trigger in triggers {
            guard let state = jobs[trigger.job], !state.removed else {
                logger.warning("trigger for an unknown job ignored", metadata: ["job": "\(trigger.job)"])
                continue
            }
            do {
                _ = try await store.offerManual(
                    job: trigger.job, requested: trigger.requestedAt, overlap: state.job.overlap, pool: PoolName.of(state.job),
                    at: storeNow())
                mayBeWaiting = true
                logger.info("run triggered", metadata: ["job": "\(trigger.job)"])
            } catch {
                logger.error("cannot queue a triggered run: \(error)", metadata: ["job": "\(trigger.job)"])
            }
        }
    }

    private func isPaused(_ state: JobState) -> Bool {
        pausedOverrides[state.job.name] ?? state.job.paused
    }

    /// Collects the slots due at `now`, applies pause and catch-up policies, and hands the
    /// survivors to the overlap policy.
    private func schedule(_ name: String, now: Int64) async {
        guard var state = jobs[name], !state.removed else { return }
        let job = state.job
        var missed: [Int64] = []
        var missedCount = 0
        var onTime: [Int64] = []
        var times: FireTimes?
        while let slot = state.next, slot + job.jitterDelay(forSlot: slot) <= now {
            // Lateness counts from the jittered start, so a long jitter never looks like an outage.
            if now - (slot + job.jitterDelay(forSlot: slot)) > settings.lateAfter {
                missedCount += 1
                missed.append(slot)
                // Keep the newest maxCatchUp, trimming in batches so a long outage stays linear.
                if missed.count >= 2 * CatchUpPolicy.maxCatchUp { missed.removeFirst(CatchUpPolicy.maxCatchUp) }
            } else {
                onTime.append(slot)
            }
            state.cursor = slot
            if times == nil { times = FireTimes(schedule: job.schedule, zone: job.zone, after: slot) }
            state.next = times!.next()
        }
        if missed.count > CatchUpPolicy.maxCatchUp { missed.removeFirst(missed.count - CatchUpPolicy.maxCatchUp) }
        jobs[name] = state
        guard state.cursor != state.storedCursor else { return }

        if isPaused(state) {
            logger.debug("paused job's slots passed", metadata: ["job": "\(name)", "slots": "\(missedCount + onTime.count)"])
        } else {
            var catchUp: [Int64] = []
            if let latest = missed.last {
                switch job.catchUp {
                case .skip: break
                case .once: if onTime.isEmpty { catchUp = [latest] }
                case .all: catchUp = missed
                case let .within(window): if onTime.isEmpty && now - latest <= window { catchUp = [latest] }
                }
                let skipped = missedCount - catchUp.count
                if skipped > 0, let last = missed.last(where: { !catchUp.contains($0) }) {
                    let reason = "missed while the daemon was not running (\(missedCount) slot\(missedCount == 1 ? "" : "s")); catch-up policy \(job.catchUp)"
                    if let id = try? await store.record(
                        SlotClaim(job: name, slot: last, kind: .catchUp, status: .skipped, reason: reason))
                    {
                        events.slotSkipped(
                            JobRun(id: id, job: name, slot: last, kind: .catchUp, status: .skipped, reason: reason, host: store.host),
                            job: job, missed: skipped)
                    }
                    logger.info("missed slots skipped", metadata: ["job": "\(name)", "count": "\(skipped)"])
                }
            }
            // Oldest first: the store decides each job's offers in order.
            for slot in catchUp { batchedOffers.append(offer(for: job, slot: slot, kind: .catchUp, now: now)) }
            for slot in onTime { batchedOffers.append(offer(for: job, slot: slot, kind: .scheduled, now: now)) }
        }
        movedCursors.insert(name)
    }

    /// Saves the watermarks of the jobs whose slots this tick dealt with, in one statement.
    /// Should the daemon die first, a restart offers those slots again and finds them claimed.
    private func saveCursors() async {
        guard !movedCursors.isEmpty else { return }
        let cursors = Dictionary(uniqueKeysWithValues: movedCursors.compactMap { name in jobs[name].map { (name, $0.cursor) } })
        do {
            try await store.setCursors(cursors)
            for (name, cursor) in cursors { jobs[name]?.storedCursor = cursor }
            movedCursors.removeAll()
        } catch {
            logger.error("cannot save the jobs' progress: \(error)", metadata: ["jobs": "\(cursors.count)"])
        }
    }

    /// Offers the slots due in this tick, in one statement; the store records each waiting
    /// or skipped (overlap policy) and this daemon claims what it has places for afterwards.
    private func offerBatched(now: Double) async {
        guard !batchedOffers.isEmpty else { return }
        let offers = batchedOffers
        batchedOffers.removeAll()
        do {
            for (offer, result) in zip(offers, try await store.offer(offers, at: now)) { offered(offer, result) }
            mayBeWaiting = true
        } catch {
            logger.error("cannot offer \(offers.count) slot(s); not running them: \(error)")
        }
    }

    /// The offer of a due slot: ready at its jittered start (a catch-up replay: now).
    private func offer(for job: Job, slot: Int64, kind: RunKind, now: Int64) -> SlotOffer {
        SlotOffer(
            job: job.name, slot: slot, kind: kind,
            readyAt: Double(kind == .catchUp ? now : slot + job.jitterDelay(forSlot: slot)), overlap: job.overlap,
            pool: PoolName.of(job))
    }

    /// Logs an offer another daemon made first, or one the overlap policy skipped.
    private func offered(_ offer: SlotOffer, _ result: OfferedSlot?) {
        guard let result else {
            logger.debug(
                "slot already offered (by another host, or before a restart)",
                metadata: ["job": "\(offer.job)", "slot": "\(offer.slot)"])
            return
        }
        guard result.status == .skipped else { return }
        logger.info("slot skipped", metadata: ["job": "\(offer.job)", "slot": "\(offer.slot)", "reason": "\(result.reason ?? "")"])
        if let job = jobs[offer.job]?.job {
            events.slotSkipped(
                JobRun(
                    id: result.id, job: offer.job, slot: offer.slot, kind: offer.kind, status: .skipped, reason: result.reason,
                    host: store.host),
                job: job, missed: 1)
        }
    }

    func start(_ name: String, run: PendingRun, now: Double) async {
        guard let job = jobs[name]?.job else { return }
        let log = logPath(job: name, slot: run.slot, id: run.id)
        let receipt = job.command == nil ? Self.receiptPath(log: log) : nil
        let request = RunRequest(
            job: name, slot: run.slot, commandLine: job.commandLine(runner: runner, receipt: receipt), logPath: log,
            environment: [
                "NIGHTSHIFT_JOB": name, "NIGHTSHIFT_SLOT": String(run.slot), "NIGHTSHIFT_RUN_KIND": run.kind.rawValue,
                "NIGHTSHIFT_ATTEMPT": String(run.attempt),
            ])
        do {
            // The log file exists from before the launch: after a crash, a queued run without
            // one certainly never started (SchedulerDaemon+Recovery).
            try PrivateFiles.createDirectory((log as NSString).deletingLastPathComponent)
            PrivateFiles.createFile(log)
            let child = try launcher.launch(request)
            try? await store.markStarted(id: run.id, at: now, pid: child.pid, pidStart: child.identity, log: log)
            jobs[name]!.running.append(
                ActiveRun(
                    id: run.id, slot: run.slot, child: child, deadline: now + Double(job.runLimit + settings.killAfter),
                    receipt: receipt, kind: run.kind, startedAt: now, log: log, attempt: run.attempt))
            logger.info("run started", metadata: ["job": "\(name)", "slot": "\(run.slot)", "pid": "\(child.pid)"])
            events.runStarted(
                JobRun(
                    id: run.id, job: name, slot: run.slot, kind: run.kind, status: .running, startedAt: now, pid: child.pid,
                    log: log, host: store.host, attempt: run.attempt),
                job: job)
        } catch {
            try? await store.finish(id: run.id, status: .launchFailed, at: now, reason: "\(error)")
            logger.error("cannot start run: \(error)", metadata: ["job": "\(name)"])
            events.runFinished(
                JobRun(
                    id: run.id, job: name, slot: run.slot, kind: run.kind, status: .launchFailed, reason: "\(error)",
                    finishedAt: now, host: store.host),
                job: job, retrying: false)
        }
    }

    func cancelPending(_ name: String, reason: String) async {
        guard let pending = jobs[name]?.pending, !pending.isEmpty else { return }
        for run in pending {
            try? await store.finish(id: run.id, status: .cancelled, at: storeNow(), reason: reason)
        }
        jobs[name]!.pending.removeAll()
        if jobs[name]!.running.isEmpty { busyJobs.remove(name) }
    }
}
