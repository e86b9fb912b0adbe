import Foundation
import NightshiftCore
import Scheduler

/// A store that stops answering while `unreachable` is set (a PostgreSQL server gone, a
/// network cut): every call fails, as a real store's would, and the data stays as it was.
final class UnreachableStore: SchedulerStore, @unchecked Sendable {
    private let base: any SchedulerStore
    private let lock = NSLock()
    private var down = false

    init(_ base: any SchedulerStore) { self.base = base }

    var unreachable: Bool {
        get { lock.withLock { down } }
        set { lock.withLock { down = newValue } }
    }

    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "the store does not answer" }
    }

    private func check() throws { if unreachable { throw Unreachable() } }

    var location: String { base.location }
    var host: String { base.host }
    var lease: Double { base.lease }

    func snapshot(at time: Double, lateAfter: Int64) async throws -> StoreSnapshot {
        try check()
        return try await base.snapshot(at: time, lateAfter: lateAfter)
    }
    func skipLate(lateAfter: Int64, at time: Double) async throws -> [JobRun] {
        try check()
        return try await base.skipLate(lateAfter: lateAfter, at: time)
    }
    func cursors() async throws -> [String: Int64] { try check(); return try await base.cursors() }
    func setCursors(_ cursors: [String: Int64]) async throws { try check(); try await base.setCursors(cursors) }
    func pausedOverrides() async throws -> [String: Bool] { try check(); return try await base.pausedOverrides() }
    func setPaused(_ paused: Bool, job: String, now: Int64) async throws { try check(); try await base.setPaused(paused, job: job, now: now) }
    func offer(_ offers: [SlotOffer], at time: Double) async throws -> [OfferedSlot?] {
        try check()
        return try await base.offer(offers, at: time)
    }
    func offerManual(job: String, requested: Int64, overlap: OverlapPolicy, pool: String?, at time: Double) async throws
        -> (id: Int64, slot: Int64)
    {
        try check()
        return try await base.offerManual(job: job, requested: requested, overlap: overlap, pool: pool, at: time)
    }
    func claim(jobs: Set<String>, limit: Int, at time: Double) async throws -> [JobRun] {
        try check()
        return try await base.claim(jobs: jobs, limit: limit, at: time)
    }
    func record(_ claim: SlotClaim) async throws -> Int64? { try check(); return try await base.record(claim) }
    func setPools(_ sizes: [String: Int]) async throws { try check(); try await base.setPools(sizes) }
    func markStarted(id: Int64, at time: Double, pid: Int32, pidStart: String?, log: String?) async throws {
        try check()
        try await base.markStarted(id: id, at: time, pid: pid, pidStart: pidStart, log: log)
    }
    func finish(id: Int64, _ end: RunEnd, at time: Double) async throws { try check(); try await base.finish(id: id, end, at: time) }
    func renewLeases(ids: [Int64]) async throws -> Set<Int64> { try check(); return try await base.renewLeases(ids: ids) }
    func unfinishedRuns() async throws -> [UnfinishedRun] { try check(); return try await base.unfinishedRuns() }
    func history(job: String?, limit: Int) async throws -> [JobRun] { try check(); return try await base.history(job: job, limit: limit) }
    func lastRuns() async throws -> [String: JobRun] { try check(); return try await base.lastRuns() }
    func runsPerHost(job: String?) async throws -> [HostRuns] { try check(); return try await base.runsPerHost(job: job) }
    func recordDaemon(_ heartbeat: DaemonHeartbeat) async throws { try check(); try await base.recordDaemon(heartbeat) }
    func clusterStatus() async throws -> ClusterStatus { try check(); return try await base.clusterStatus() }
    func prune(before cutoff: Int64) async throws -> [String] { try check(); return try await base.prune(before: cutoff) }
    func addTrigger(job: String, at time: Int64) async throws { try check(); try await base.addTrigger(job: job, at: time) }
    func takeTriggers(jobs: Set<String>) async throws -> [(job: String, requestedAt: Int64)] {
        try check()
        return try await base.takeTriggers(jobs: jobs)
    }
    func recordNotification(_ record: NotificationRecord) async throws { try check(); try await base.recordNotification(record) }
    func notifications(job: String?, limit: Int) async throws -> [NotificationRecord] {
        try check()
        return try await base.notifications(job: job, limit: limit)
    }
    func previousFinishedRun(job: String, before id: Int64) async throws -> JobRun? {
        try check()
        return try await base.previousFinishedRun(job: job, before: id)
    }
    func lastSuccesses() async throws -> [String: Double] { try check(); return try await base.lastSuccesses() }
    func close() async { await base.close() }
}
