import Foundation
import NightshiftCore
import Scheduler
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real daemon with real `nightshift run` children: how a scheduled run gets its key
/// (never in its environment), and a job that runs as a fleet.
@Suite("nightshift schedule: keys handed to runs, fleet jobs", .serialized)
struct FleetJobProcessTests {
    func writeJobs(_ dir: TemporaryDirectory, _ jobs: String) throws -> String {
        let path = dir.file("jobs.toml")
        try "[scheduler]\nstate = \"state.sqlite\"\ntick = 0.1\n\n\(jobs)".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a daemon given NIGHTSHIFT_API_KEY hands it to its run on a pipe: the child's /proc/PID/environ holds no key")
    func keyNotInChildEnvironment() async throws {
        let dir = TemporaryDirectory()
        let panel = try await EmulatorProcess(dir)
        try "print(#resellers.list())\nsleep(3)\nprint('done')\n".write(toFile: dir.file("slow.lua"), atomically: true, encoding: .utf8)
        let config = try writeJobs(
            dir,
            """
            [[jobs]]
            name = "slow"
            script = "slow.lua"
            schedule = "@every 1h"
            timeout = "30s"
            panel = "\(panel.url)"
            extra_args = ["--state", "\(dir.file("run-state"))"]
            """)
        let store = try SQLiteStore(path: dir.file("state.sqlite"), host: "inspector")
        let daemon = try NightshiftBinary.start(
            ["schedule", "--jobs", config], log: dir.file("daemon.log"), environment: ["NIGHTSHIFT_API_KEY": EmulatorProcess.key])
        defer { daemon.stopGracefully() }
        #expect(try NightshiftBinary.run(["jobs", "trigger", "slow", "--jobs", config]).status == 0)
        #expect(try await eventually { try await store.history(job: "slow").first?.status == .running })
        let pid = try #require(try await store.history(job: "slow").first?.pid)
        let environ = try #require(FileManager.default.contents(atPath: "/proc/\(pid)/environ"))
        let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(!variables.isEmpty)
        #expect(!variables.contains { $0.contains(EmulatorProcess.key) }, "the key is in the child's environment")
        #expect(variables.contains("NIGHTSHIFT_API_KEY_FD=3"))
        #expect(try await eventually { try await store.history(job: "slow").first?.status.isFinal == true })
        let run = try #require(try await store.history(job: "slow").first)
        #expect(run.status == .succeeded, "\(run.reason ?? ""): \((try? String(contentsOfFile: run.log ?? "", encoding: .utf8)) ?? "")")
        let log = try String(contentsOfFile: try #require(run.log), encoding: .utf8)
        #expect(log.contains("5\n"))
        #expect(log.contains("note: the API key comes from NIGHTSHIFT_API_KEY"))
        #expect(!log.contains(EmulatorProcess.key))
    }

    @Test("a job with panels = [...] runs as a fleet: one history row, a notification naming the failed panel")
    func fleetJob() async throws {
        let dir = TemporaryDirectory()
        let good = try await EmulatorProcess(dir, key: "fleet-job-key-good", name: "good")
        let down = try await EmulatorProcess(dir, key: "fleet-job-key-down", name: "down")
        down.process.kill(signal: SIGKILL)
        down.process.waitForExit()
        var toml = "[state]\ndir = \"\(dir.file("run-state"))\"\n"
        for (name, panel, key) in [("good", good, "fleet-job-key-good"), ("down", down, "fleet-job-key-down")] {
            try (key + "\n").write(toFile: dir.file("\(name).key"), atomically: true, encoding: .utf8)
            chmod(dir.file("\(name).key"), 0o600)
            toml += "[panels.\(name)]\nurl = \"\(panel.url)\"\nkey_file = \"\(dir.file("\(name).key"))\"\n"
        }
        try toml.write(toFile: dir.file("nightshift.toml"), atomically: true, encoding: .utf8)
        try "resellers.add_credits(1, 5)\n".write(toFile: dir.file("topup.lua"), atomically: true, encoding: .utf8)
        let config = try writeJobs(
            dir,
            """
            [[jobs]]
            name = "topup"
            script = "topup.lua"
            schedule = "@every 1h"
            timeout = "30s"
            panels = ["good", "down"]
            grant = { allow = ["resellers.add_credits"], max_credits = 5 }
            notify = { on = ["failure"], command = ["/bin/sh", "-c", "cat > \(dir.file("notification.json"))"] }
            """)
        let store = try SQLiteStore(path: dir.file("state.sqlite"), host: "inspector")
        let daemon = try NightshiftBinary.start(
            ["schedule", "--jobs", config], log: dir.file("daemon.log"), environment: ["NIGHTSHIFT_CONFIG": dir.file("nightshift.toml")])
        defer { daemon.stopGracefully() }
        #expect(try NightshiftBinary.run(["jobs", "trigger", "topup", "--jobs", config]).status == 0)
        #expect(await eventually { FileManager.default.fileExists(atPath: dir.file("notification.json")) })
        let history = try await store.history(job: "topup")
        #expect(history.count == 1)
        let run = try #require(history.first)
        #expect(run.status == .failed)
        #expect(run.exitCode == 11)
        #expect(run.creditsMoved == 5)
        #expect(run.reason?.hasPrefix("1 of 2 panels did not succeed: down: failed (") == true, "\(run.reason ?? "")")
        _ = await eventually {
            let data = FileManager.default.contents(atPath: dir.file("notification.json")) ?? Data()
            return (try? JSONSerialization.jsonObject(with: data)) != nil
        }
        let data = try #require(FileManager.default.contents(atPath: dir.file("notification.json")))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["failed_panels"] as? [String] == ["down"])
        let panels = try #require(object["panels"] as? [[String: Any]])
        #expect(panels.map { $0["panel"] as? String } == ["good", "down"])
        #expect(panels.map { $0["status"] as? String } == ["succeeded", "failed"])
        #expect((object["text"] as? String)?.contains("down: failed") == true)
    }
}
