import Foundation
import Scheduler
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Three real daemons (`nightshift schedule`) on one PostgreSQL database sharing a burst.
/// The jobs are `command` jobs (`/bin/sh -c '...; sleep N'`), not Lua scripts: what is
/// measured is how the daemons share the runs, and 150 `nightshift run` children at once
/// would only load the 2-core CI machine. Everything is checked from the store's records
/// (start and end times, hosts, counts) and the children's own start file, never by timing
/// the test.
@Suite("capacity across real daemons", .serialized)
struct CapacityProcessTests {
    /// A jobs file of `count` command jobs, all due at `slot` (a whole minute in the past, so
    /// that the test does not wait for one), the watermarks set just before it.
    func burst(
        _ dir: TemporaryDirectory, _ underTest: StoreUnderTest, count: Int, seconds: Int, maxRunning: Int, pool: Int? = nil
    ) async throws -> (config: String, starts: String, store: any SchedulerStore) {
        let starts = dir.file("starts.txt")
        let slot = Int64(Date().timeIntervalSince1970) / 60 * 60
        var parts = tm()
        var seconds_t = time_t(slot)
        gmtime_r(&seconds_t, &parts)
        var toml = """
            [scheduler]
            \(underTest.schedulerLine)
            tick = 0.2
            lease = "5s"
            late_after = "5m"
            max_running = \(maxRunning)
            shutdown_grace = "10s"
            kill_after = "0s"

            [defaults]
            schedule = "\(parts.tm_min) \(parts.tm_hour) * * *"
            timeout = "30s"
            command = ["/bin/sh", "-c", "echo $NIGHTSHIFT_JOB >> \(starts); sleep \(seconds)"]

            """
        if let pool { toml += "\n[pools]\npanel-eu = \(pool)\n" }
        let names = (0..<count).map { String(format: "burst%03d", $0) }
        for name in names {
            toml += "\n[[jobs]]\nname = \"\(name)\"\n" + (pool == nil ? "" : "pool = \"panel-eu\"\n")
        }
        let config = dir.file("jobs.toml")
        try toml.write(toFile: config, atomically: true, encoding: .utf8)
        let store = try await underTest.open(dir)
        // Every job's watermark just before the slot: the daemons find it due, on time, at once.
        try await store.setCursors(Dictionary(uniqueKeysWithValues: names.map { ($0, slot - 1) }))
        return (config, starts, store)
    }

    /// Starts `nightshift schedule` as d1, d2, d3; returns them for `stop`.
    func startDaemons(_ config: String, _ dir: TemporaryDirectory) throws -> [any RunningChild] {
        try ["d1", "d2", "d3"].map { host in
            try NightshiftBinary.start(["schedule", "--jobs", config, "--host", host], log: dir.file("\(host).log"))
        }
    }

    func stop(_ daemons: [any RunningChild]) -> [ChildExit?] {
        for daemon in daemons where daemon.poll() == nil { daemon.signal(SIGTERM) }
        return daemons.map { daemon in
            let exit = daemon.waitForExit()
            if exit == nil {
                daemon.kill(signal: SIGKILL)
                daemon.waitForExit()
            }
            return exit
        }
    }

    @Test("three daemons, max_running 10, 150 two-second jobs due at once: every run exactly once, each daemon at least 20%, first start to last end under 15 s")
    func burstOnThreeDaemons() async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(.postgres)
        let (config, starts, store) = try await burst(dir, underTest, count: 150, seconds: 2, maxRunning: 10)
        let daemons = try startDaemons(config, dir)
        var runs: [JobRun] = []
        let finished = try await eventually(within: 120) {
            runs = try await store.history(job: nil, limit: 1000)
            return runs.count == 150 && runs.allSatisfy(\.status.isFinal)
        }
        let exits = stop(daemons)
        #expect(finished, "\(runs.filter { !$0.status.isFinal }.count) of \(runs.count) runs unfinished")
        #expect(exits.allSatisfy { $0 == .exited(0) })

        // Every run exactly once: one row per job, each succeeded, each child started once.
        #expect(Set(runs.map(\.job)).count == 150)
        #expect(runs.allSatisfy { $0.status == .succeeded && $0.kind == .scheduled })
        let started = ((try? String(contentsOfFile: starts, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(started.count == 150 && Set(started).count == 150)
        // Each daemon at least 20% of the runs, never more than its 10 at once.
        let perHost = Dictionary(grouping: runs, by: { $0.host ?? "-" })
        #expect(Set(perHost.keys) == ["d1", "d2", "d3"])
        for (host, hostRuns) in perHost {
            #expect(hostRuns.count >= 30, "\(host) ran \(hostRuns.count) of 150")
            #expect(hostRuns.mostAtOnce <= 10, "\(host) ran \(hostRuns.mostAtOnce) at once")
        }
        // From the first start to the last end, by the store's records: five rounds of 2 s.
        let first = try #require(runs.compactMap(\.startedAt).min())
        let last = try #require(runs.compactMap(\.finishedAt).max())
        #expect(last - first < 15, "first start to last end: \(last - first) s")
        print(
            "capacity: 150 runs of 2 s on 3 daemons (max_running 10): "
                + perHost.keys.sorted().map { "\($0) \(perHost[$0]!.count)" }.joined(separator: ", ")
                + String(format: "; first start to last end %.1f s; at most %d at once", last - first, runs.mostAtOnce))
        await store.close()
    }

    @Test("a pool of 4 across three daemons (max_running 10 each): never more than 4 runs at once, by the store's start and end records")
    func poolAcrossDaemons() async throws {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(.postgres)
        let (config, _, store) = try await burst(dir, underTest, count: 16, seconds: 1, maxRunning: 10, pool: 4)
        let daemons = try startDaemons(config, dir)
        var runs: [JobRun] = []
        let finished = try await eventually(within: 90) {
            runs = try await store.history(job: nil, limit: 100)
            return runs.count == 16 && runs.allSatisfy(\.status.isFinal)
        }
        let exits = stop(daemons)
        #expect(finished)
        #expect(exits.allSatisfy { $0 == .exited(0) })
        #expect(runs.allSatisfy { $0.status == .succeeded })
        #expect(runs.mostAtOnce == 4, "the most runs at once of a pool of 4: \(runs.mostAtOnce)")
        #expect(try await store.clusterStatus().pools == [ClusterStatus.Pool(name: "panel-eu", size: 4, held: 0)])
        await store.close()
    }
}
