import Foundation
import Scheduler
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Three real daemons (`nightshift schedule`) on one PostgreSQL database while one at a time
/// is killed with SIGKILL and restarted, each claiming only within its `max_running`.
@Suite("failover between daemons under kill -9", .serialized)
struct ChaosTests {
    static let lease = 3.0
    static let tick = 0.2

    @Test("three daemons, one killed -9 and restarted every 20 s: no slot runs twice, every slot runs, interrupted runs are recorded")
    func killAndRestart() async throws {
        let seconds = Double(ProcessInfo.processInfo.environment["NIGHTSHIFT_CHAOS_SECONDS"] ?? "") ?? 120
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(.postgres)
        let starts = dir.file("starts.txt")
        let config = dir.file("jobs.toml")
        try """
            [scheduler]
            \(underTest.schedulerLine)
            tick = \(Self.tick)
            lease = \(Self.lease)
            max_running = 2
            shutdown_grace = "10s"
            kill_after = "0s"

            [[jobs]]
            name = "chaos"
            schedule = "@every 2s"
            timeout = "20s"
            # Runs last 3 s, so every daemon usually holds one when it is killed; overlap
            # allow, because a killed daemon's run counts as running until its lease expires.
            overlap = "allow"
            command = ["/bin/sh", "-c", "echo $NIGHTSHIFT_SLOT >> \(starts); sleep 3"]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let store = try await underTest.open(dir)
        let hosts = ["d1", "d2", "d3"]
        func start(_ host: String, _ generation: Int) throws -> any RunningChild {
            try NightshiftBinary.start(
                ["schedule", "--jobs", config, "--host", host], log: dir.file("\(host)-\(generation).log"))
        }
        var daemons = try Dictionary(uniqueKeysWithValues: hosts.map { ($0, try start($0, 0)) })
        defer {
            for daemon in daemons.values where daemon.poll() == nil {
                daemon.kill(signal: SIGKILL)
                daemon.waitForExit()
            }
        }
        let began = Date().timeIntervalSince1970
        var kills: [(host: String, at: Double, restarted: Double)] = []
        var generation = 0
        // Kills that cut off a run known to be going (see below).
        var cuts = 0
        // Cycles of 15 s with three daemons, a kill, 5 s with two; then all three to the end.
        while Date().timeIntervalSince1970 - began + 20 <= seconds - 5 {
            try await Task.sleep(for: .seconds(20 - 5))
            // The victim is a daemon holding a run that started less than a second ago: its
            // child sleeps 3 s, so the run is still going when the kill lands, however slow
            // the machine, and the kill surely cuts it off. (A run merely listed as running
            // may end between the read and the kill on a loaded machine.) Only such kills are
            // counted as cutting a run.
            var victim: String?
            let lookUntil = Date().addingTimeInterval(15)
            while victim == nil, Date() < lookUntil {
                let now = Date().timeIntervalSince1970
                let fresh = try await store.history(job: "chaos", limit: 20)
                    .filter { $0.status == .running && ($0.startedAt ?? 0) > now - 1 }.compactMap(\.host)
                victim = hosts.rotated(by: kills.count).first { fresh.contains($0) }
                if victim == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            if victim != nil { cuts += 1 }
            let killed = victim ?? hosts[kills.count % 3]
            let killedAt = Date().timeIntervalSince1970
            daemons[killed]!.signal(SIGKILL)
            #expect(daemons[killed]!.waitForExit() == .signaled(SIGKILL))
            try await Task.sleep(for: .seconds(5))
            generation += 1
            daemons[killed] = try start(killed, generation)
            kills.append((killed, killedAt, Date().timeIntervalSince1970))
        }
        let rest = seconds - (Date().timeIntervalSince1970 - began)
        if rest > 0 { try await Task.sleep(for: .seconds(rest)) }
        let ended = Date().timeIntervalSince1970
        for daemon in daemons.values { daemon.signal(SIGTERM) }
        for daemon in daemons.values { #expect(daemon.waitForExit() == .exited(0)) }

        let runs = try await store.history(job: "chaos", limit: 10_000)
        let started = ((try? String(contentsOfFile: starts, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int64($0) }
        // No slot runs twice.
        #expect(Set(started).count == started.count, "slots started twice: \(Dictionary(grouping: started, by: { $0 }).filter { $1.count > 1 }.keys.sorted())")
        #expect(Set(runs.map(\.slot)).count == runs.count)
        // Every slot whose whole window had a live daemon runs: two of three were always up
        // (all three except during a kill), from a few seconds after the start until the shutdown.
        let first = Int64(began) + 4 + 1
        let last = Int64(ended) - 2
        let expected = Set(stride(from: (first + 1) / 2 * 2, through: last, by: 2))
        let bySlot = Dictionary(runs.map { ($0.slot, $0) }, uniquingKeysWith: { a, _ in a })
        let notClaimed = expected.filter { bySlot[$0] == nil }.sorted()
        #expect(notClaimed.isEmpty, "slots nobody claimed: \(notClaimed)")
        // A slot claimed by a daemon killed between its claim and its child's start is
        // recorded interrupted before the run started; the kill lands in a window of
        // microseconds, so at most one per kill.
        let cutBeforeStart = expected.filter { bySlot[$0]?.reason?.contains("before the run started") == true }
        #expect(cutBeforeStart.count <= kills.count)
        let notStarted = expected.subtracting(started).subtracting(cutBeforeStart).sorted()
        #expect(notStarted.isEmpty, "slots that never started: \(notStarted)")
        #expect(runs.allSatisfy { $0.status != .skipped && $0.status != .running && $0.status != .queued })
        // Interrupted runs are recorded, by a survivor once the lease expired (or by the
        // restarted daemon itself, if it came back first).
        let interrupted = runs.filter { $0.status == .interrupted }
        #expect(cuts > 0, "no kill found a daemon with a run just started in 15 s of looking")
        #expect(interrupted.count >= cuts, "\(interrupted.count) interrupted runs for \(cuts) kills that cut a run off")

        // Failover, measured: from each kill to the survivors' record of its runs, and how
        // late slots due while a daemon was dead started.
        var recordLatency: [Double] = []
        for kill in kills {
            for run in interrupted where run.host == kill.host && run.reason?.contains("stopped renewing its lease") == true {
                if let finished = run.finishedAt, finished > kill.at, finished < kill.restarted + Self.lease + 5 {
                    recordLatency.append(finished - kill.at)
                }
            }
        }
        let duringOutage = runs.filter { run in kills.contains { Double(run.slot) >= $0.at && Double(run.slot) < $0.restarted } }
        let outageLag = duringOutage.compactMap { run in run.startedAt.map { $0 - Double(run.slot) } }
        let normalLag = runs.filter { !duringOutage.contains($0) }.compactMap { run in run.startedAt.map { $0 - Double(run.slot) } }
        func summary(_ values: [Double]) -> String {
            guard let max = values.max() else { return "none" }
            let mean = values.reduce(0, +) / Double(values.count)
            return String(format: "n=%d mean %.2f s max %.2f s", values.count, mean, max)
        }
        print("""
            chaos: \(Int(ended - began)) s, \(kills.count) kills (\(kills.map(\.host).joined(separator: ", "))), \(cuts) of them cutting off a run just started, \
            \(runs.count) slots claimed (\(Dictionary(grouping: runs, by: { $0.host ?? "-" }).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count)" }.joined(separator: ", "))), \
            \(started.count) started, \(interrupted.count) interrupted, \
            \(cutBeforeStart.count) cut between claim and start
            failover: kill -> survivor records the dead host's runs interrupted: \(summary(recordLatency)) \
            (target lease + tick = \(Self.lease + Self.tick) s)
            failover: start lag of slots due while a daemon was dead: \(summary(outageLag)); \
            with all three up: \(summary(normalLag))
            """)
        #expect(!recordLatency.isEmpty)
        // Lease + tick, plus a second for a loaded CI machine to schedule the survivor.
        #expect((recordLatency.max() ?? 0) <= Self.lease + Self.tick + 1)
        #expect((outageLag.max() ?? 0) <= Self.lease + Self.tick)
    }
}

extension Array {
    func rotated(by amount: Int) -> [Element] {
        guard !isEmpty else { return self }
        let k = amount % count
        return Array(self[k...] + self[..<k])
    }
}
