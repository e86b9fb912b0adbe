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
}
