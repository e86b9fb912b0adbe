import Foundation
import Scheduler
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `nightshift jobs check`, and the same check when `nightshift schedule` starts.
@Suite("nightshift jobs check and schedule's start-up check", .serialized)
struct JobsCheckTests {
    /// A jobs file with a good job and the given extra `[[jobs]]` tables, beside a readable script.
    func writeJobs(_ dir: TemporaryDirectory, extra: String, tick: Bool = false) throws -> String {
        try "print('hi')\n".write(toFile: dir.file("good.lua"), atomically: true, encoding: .utf8)
        let path = dir.file("jobs.toml")
        try """
            [scheduler]
            state = "state.sqlite"
            \(tick ? "tick = 0.1" : "")

            [[jobs]]
            name = "good"
            script = "good.lua"
            schedule = "0 3 * * *"
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a file whose every job can run passes, and says so")
    func clean() throws {
        let dir = TemporaryDirectory()
        defer { withExtendedLifetime(dir) {} }
        let config = try writeJobs(dir, extra: "")
        let result = try NightshiftBinary.run(["jobs", "check", "--jobs", config])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "\(config): 1 job\nevery job's script and module folders can be read\n")
    }

    @Test("a missing script and a module folder that is not there are named with their job; exit 6")
    func unreadable() throws {
        let dir = TemporaryDirectory()
        defer { withExtendedLifetime(dir) {} }
        let config = try writeJobs(
            dir,
            extra: """
                [[jobs]]
                name = "report"
                script = "report.lua"
                schedule = "0 4 * * *"

                [[jobs]]
                name = "modules"
                script = "good.lua"
                schedule = "0 5 * * *"
                extra_args = ["--module-path", "\(dir.file("lib"))"]
                """)
        let result = try NightshiftBinary.run(["jobs", "check", "--jobs", config])
        #expect(result.status == 6)
        #expect(
            result.output == """
                \(config): 3 jobs
                job 'report': cannot read the script \(dir.file("report.lua")): no such file; check the path
                job 'modules': cannot read the module folder \(dir.file("lib")): no such folder; check [modules] paths or --module-path

                """)
        #expect(result.error == "Error: 2 jobs cannot run as configured: modules, report\n")
    }

    @Test("a schedule this release reads differently is named with its term, and does not fail the check")
    func changedSchedule() throws {
        let dir = TemporaryDirectory()
        defer { withExtendedLifetime(dir) {} }
        let config = try writeJobs(
            dir,
            extra: """
                [[jobs]]
                name = "weekly"
                script = "good.lua"
                schedule = "0 12 * * 2-2/2"
                """)
        let result = try NightshiftBinary.run(["jobs", "check", "--jobs", config])
        #expect(result.status == 0, "\(result.error)")
        #expect(
            result.output.contains(
                "job 'weekly': schedule '0 12 * * 2-2/2': field 5 (day of week) '2-2/2' is now 2 only, as cronie reads it; "
                    + "Nightshift before 0.2.0 read it as 2/2 (2 to 7, every 2); its fire times changed with 0.2.0"))
        #expect(result.output.hasSuffix("1 job's schedule fires at other times than before 0.2.0\n"))
    }

    @Test("a jobs file that is not UTF-8 text is named as such, with the first bad byte")
    func notText() throws {
        let dir = TemporaryDirectory()
        defer { withExtendedLifetime(dir) {} }
        let config = dir.file("jobs.toml")
        // "# café" in Latin-1: the é is byte 5.
        try Data([0x23, 0x20, 0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: config))
        let result = try NightshiftBinary.run(["jobs", "check", "--jobs", config])
        #expect(result.status == 6)
        #expect(
            result.error
                == "Error: cannot read the jobs file \(config): it is not UTF-8 text (byte 5 is not valid UTF-8); "
                + "save it as UTF-8 (iconv -f LATIN1 -t UTF-8 is one way)\n")
    }

    @Test("schedule refuses to start on a job whose script is missing, naming it and the way on")
    func scheduleRefuses() throws {
        let dir = TemporaryDirectory()
        defer { withExtendedLifetime(dir) {} }
        let config = try writeJobs(
            dir, extra: "[[jobs]]\nname = \"report\"\nscript = \"report.lua\"\nschedule = \"0 4 * * *\"")
        let result = try NightshiftBinary.run(["schedule", "--jobs", config])
        #expect(result.status == 6)
        #expect(
            result.error.contains(
                "job 'report': cannot read the script \(dir.file("report.lua")): no such file; check the path\n"
                    + "not starting: fix the paths (nightshift jobs check shows them), or start with --ignore-unreadable"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("state.sqlite")))
    }

    @Test("with --ignore-unreadable the daemon starts, and the job's run ends 'script unreadable', not 'syntax error'")
    func ignoreUnreadable() async throws {
        let dir = TemporaryDirectory()
        defer { withExtendedLifetime(dir) {} }
        let config = try writeJobs(
            dir, extra: "[[jobs]]\nname = \"report\"\nscript = \"report.lua\"\nschedule = \"0 4 * * *\"", tick: true)
        let daemon = try NightshiftBinary.start(
            ["schedule", "--jobs", config, "--ignore-unreadable"], log: dir.file("daemon.log"))
        defer {
            daemon.signal(SIGTERM)
            if daemon.waitForExit() == nil { daemon.kill(signal: SIGKILL) }
        }
        #expect(try NightshiftBinary.run(["jobs", "trigger", "report", "--jobs", config]).status == 0)
        let store = try SQLiteStore(path: dir.file("state.sqlite"))
        var ended: JobRun?
        // Within two minutes: a busy machine can take long to start the daemon and its child.
        _ = try await eventually(within: 120) {
            ended = try await store.history(job: "report").first { $0.status.isFinal }
            return ended != nil
        }
        let run = try #require(ended)
        #expect(run.status == .scriptUnreadable)
        #expect(run.reason == "exited with status 8 (the script file could not be read)")
        let log = (try? String(contentsOfFile: dir.file("daemon.log"), encoding: .utf8)) ?? ""
        #expect(log.contains("job 'report': cannot read the script \(dir.file("report.lua")): no such file; check the path; its runs will end 'script unreadable'"))
    }
}
