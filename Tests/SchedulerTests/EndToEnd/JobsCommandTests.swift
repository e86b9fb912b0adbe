import Foundation
import Scheduler
import Testing

@Suite("nightshift jobs and history")
struct JobsCommandTests {
    func setUp(_ kind: StoreKind) throws -> (TemporaryDirectory, String, StoreUnderTest) {
        let dir = TemporaryDirectory()
        let underTest = try StoreUnderTest(kind)
        let config = dir.file("jobs.toml")
        try """
            [scheduler]
            state = "state.sqlite"
            \(underTest.schedulerLine)

            [[jobs]]
            name = "nightly"
            script = "topup.lua"
            schedule = "0 3 * * *"
            timezone = "Europe/Berlin"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return (dir, config, underTest)
    }

    @Test("jobs list shows the next fire time in the job's zone, and `paused` after jobs pause until jobs resume", arguments: StoreKind.allCases)
    func listPauseResume(kind: StoreKind) async throws {
        let (dir, config, _) = try setUp(kind)
        defer { withExtendedLifetime(dir) {} }
        let list = try NightshiftBinary.run(["jobs", "list", "--jobs", config])
        #expect(list.status == 0, "\(list.error)")
        let row = try #require(list.output.split(separator: "\n").first { $0.hasPrefix("nightly") })
        #expect(row.contains("0 3 * * *") && row.contains("Europe/Berlin"))
        #expect(row.contains("T03:00:00+01:00") || row.contains("T03:00:00+02:00"))

        // --config is the jobs file's old flag name, still accepted.
        #expect(try NightshiftBinary.run(["jobs", "list", "--config", config]).output.contains("nightly"))
        #expect(try NightshiftBinary.run(["jobs", "pause", "nightly", "--jobs", config]).status == 0)
        #expect(try NightshiftBinary.run(["jobs", "list", "--jobs", config]).output.contains("paused"))
        #expect(try NightshiftBinary.run(["jobs", "resume", "nightly", "--jobs", config]).status == 0)
        #expect(!(try NightshiftBinary.run(["jobs", "list", "--jobs", config]).output.contains("paused")))
    }

    @Test("jobs trigger queues a run for the daemon; an unknown job name is refused with the known names", arguments: StoreKind.allCases)
    func trigger(kind: StoreKind) async throws {
        let (dir, config, underTest) = try setUp(kind)
        #expect(try NightshiftBinary.run(["jobs", "trigger", "nightly", "--jobs", config]).status == 0)
        let store = try await underTest.open(dir)
        #expect(try await store.takeTriggers(jobs: ["nightly"]).map(\.job) == ["nightly"])
        let unknown = try NightshiftBinary.run(["jobs", "trigger", "weekly", "--jobs", config])
        #expect(unknown.status != 0)
        #expect(unknown.error.contains("no job named 'weekly'") && unknown.error.contains("nightly"))
    }

    @Test("history --json prints the recorded runs, newest first, each naming its host; jobs list shows the last run's host", arguments: StoreKind.allCases)
    func historyJSON(kind: StoreKind) async throws {
        let (dir, config, underTest) = try setUp(kind)
        let store = try await underTest.open(dir)
        let first = try #require(try await store.claim(job: "nightly", slot: 1_780_000_000, kind: .scheduled, status: .queued))
        try await store.finish(id: first, status: .succeeded, at: 1_780_000_002, exitCode: 0)
        _ = try await store.claim(job: "nightly", slot: 1_780_086_400, kind: .scheduled, status: .skipped, reason: "why")
        let result = try NightshiftBinary.run(["history", "nightly", "--json", "--jobs", config])
        #expect(result.status == 0, "\(result.error)")
        let runs = try JSONDecoder().decode([JobRun].self, from: Data(result.output.utf8))
        #expect(runs.map(\.slot) == [1_780_086_400, 1_780_000_000])
        #expect(runs.map(\.status) == [.skipped, .succeeded])
        #expect(runs.map(\.host) == ["inspector", "inspector"])
        let table = try NightshiftBinary.run(["history", "--jobs", config])
        #expect(table.output.contains("succeeded") && table.output.contains("why") && table.output.contains("inspector"))
        let list = try NightshiftBinary.run(["jobs", "list", "--jobs", config])
        let row = try #require(list.output.split(separator: "\n").first { $0.hasPrefix("nightly") })
        #expect(row.hasSuffix("succeeded  inspector"))
    }

    @Test("jobs status shows each daemon's state, last tick, max_running, runs held and free places, the waiting runs and the pools", arguments: StoreKind.allCases)
    func status(kind: StoreKind) async throws {
        let (dir, config, underTest) = try setUp(kind)
        let store = try await underTest.open(dir)
        let empty = try NightshiftBinary.run(["jobs", "status", "--jobs", config])
        #expect(empty.status == 0, "\(empty.error)")
        #expect(empty.output.contains("no daemon has written to this store yet"))
        let now = Date().timeIntervalSince1970
        try await store.recordDaemon(DaemonHeartbeat(pid: 4242, startedAt: now - 60, lastTick: now, tick: 1, maxRunning: 10))
        try await store.setPools(["panel-eu": 4])
        _ = try await store.offer(
            (0..<5).map { SlotOffer(job: "job\($0)", slot: 60, kind: .scheduled, readyAt: now - 5, pool: $0 == 0 ? "panel-eu" : nil) },
            at: now)
        _ = try await store.claim(jobs: ["job0", "job1", "job2"], limit: 3, at: now)
        let result = try NightshiftBinary.run(["jobs", "status", "--jobs", config])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("DAEMON     STATE    LAST TICK") == true, "\(result.output)")
        let row = try #require(lines.first { $0.hasPrefix("inspector") })
        #expect(row.split(separator: " ", omittingEmptySubsequences: true).map(String.init).prefix(2) == ["inspector", "ticking"])
        #expect(row.contains("1s    10           3        7     4242"), "\(row)")
        #expect(lines.contains { $0.hasPrefix("waiting for a free place: 2 runs, the oldest ready ") })
        #expect(lines.suffix(2) == ["POOL      SIZE  HELD", "panel-eu  4     1"])
        let json = try NightshiftBinary.run(["jobs", "status", "--json", "--jobs", config])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["waiting"] as? Int == 2)
        #expect((object["daemons"] as? [[String: Any]])?.first?["running"] as? Int == 3)
    }

    @Test("history --hosts counts each host's runs by status, its share, first start and last end", arguments: StoreKind.allCases)
    func historyHosts(kind: StoreKind) async throws {
        let (dir, config, underTest) = try setUp(kind)
        let store = try await underTest.open(dir)
        for (index, slot) in [1_780_000_000, 1_780_086_400, 1_780_172_800].enumerated() {
            let id = try #require(try await store.claim(job: "nightly", slot: Int64(slot), kind: .scheduled, status: .queued))
            try await store.markStarted(id: id, at: Double(slot), pid: 1, pidStart: nil, log: nil)
            try await store.finish(id: id, status: index == 2 ? .failed : .succeeded, at: Double(slot) + 4)
        }
        let result = try NightshiftBinary.run(["history", "--hosts", "--jobs", config])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines == [
            "HOST       STARTED  SHARE  FIRST START                LAST END                   STATUSES",
            "inspector  3        100%   2026-05-28T20:26:40+00:00  2026-05-30T20:26:44+00:00  succeeded 2, failed 1",
            "first start to last end: 172804.0 s, 3 runs started on 1 host(s)",
        ])
    }
}
