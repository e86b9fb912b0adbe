import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The throwaway cluster `scripts/with-postgres` starts: a new database per test.
private enum SharedDatabase {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "these tests need PostgreSQL: run them as `scripts/with-postgres swift test --filter SharedRecordsEndToEndTests`"
        }
    }

    /// The database's password, which no output may ever show.
    static var password: String { ProcessInfo.processInfo.environment["PGPASSWORD"] ?? "" }

    /// A new, empty database; its URL (no password: it comes from PGPASSWORD).
    static func fresh() throws -> String {
        guard let base = ProcessInfo.processInfo.environment["NIGHTSHIFT_TEST_POSTGRES"], !base.isEmpty,
            var url = URLComponents(string: base)
        else { throw Missing() }
        let name = "e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        // createdb reads PGHOST, PGPORT, PGUSER and PGPASSWORD, which scripts/with-postgres sets.
        let createdb = try Process.run(URL(fileURLWithPath: "/usr/bin/createdb"), arguments: [name])
        createdb.waitUntilExit()
        guard createdb.terminationStatus == 0 else { throw Panel.Startup(description: "createdb \(name) failed") }
        url.path = "/" + name
        return url.string!
    }
}

/// One "host": its own state folder and host name, the shared nightshift.toml.
private struct Host {
    let name: String
    let panel: Panel
    let config: String
    var state: String { panel.folder + "/state-" + name }
    var environment: [String: String] {
        ["NIGHTSHIFT_API_KEY": Panel.key, "NIGHTSHIFT_HOST": name, "NIGHTSHIFT_CONFIG": config]
    }

    /// `nightshift run SCRIPT` on this host, allowed to add credits.
    func run(_ script: String) throws -> Nightshift.Result {
        try Nightshift.run(
            ["run", script, "--panel", panel.url, "--state", state, "--allow", "resellers.add_credits", "--max-credits", "50"],
            environment: environment)
    }

    /// `nightshift runs` or `nightshift audit` on this host, with `arguments`.
    func show(_ command: String, _ arguments: [String] = []) throws -> Nightshift.Result {
        try Nightshift.run([command, "--state", state] + arguments, environment: environment)
    }

    /// `--json` output as objects.
    func objects(_ command: String, _ arguments: [String] = []) throws -> [[String: Any]] {
        let result = try show(command, ["--json"] + arguments)
        let value = try JSONSerialization.jsonObject(with: Data(result.output.utf8))
        return value as? [[String: Any]] ?? []
    }
}

private func writeConfig(_ path: String, store: String) throws {
    try "[records]\nstore = \"\(store)\"\n".write(toFile: path, atomically: true, encoding: .utf8)
}

@Suite("shared records: runs and audit of every host, end to end", .serialized)
struct SharedRecordsEndToEndTests {
    @Test("two hosts on one database: runs and audit from either show both hosts' rows, each naming its host; the password is never printed")
    func twoHosts() throws {
        let panel = try knownPanel()
        let config = panel.folder + "/nightshift.toml"
        try writeConfig(config, store: try SharedDatabase.fresh())
        let a = Host(name: "host-a", panel: panel, config: config)
        let b = Host(name: "host-b", panel: panel, config: config)
        let runA = try a.run(try panel.script("a.lua", "resellers.add_credits(1, 5)"))
        let runB = try b.run(try panel.script("b.lua", "resellers.add_credits(2, 3)"))
        #expect(runA.status == 0 && runB.status == 0, "\(runA.all)\(runB.all)")
        #expect(!runA.error.contains("warning"), "\(runA.error)")
        let idA = try #require(Panel.runID(runA))
        let idB = try #require(Panel.runID(runB))

        var printed: [String] = [runA.all, runB.all]
        for host in [a, b] {
            let runs = try host.objects("runs")
            #expect(Set(runs.compactMap { $0["id"] as? String }) == [idA, idB])
            #expect(runs.first { $0["id"] as? String == idA }?["host"] as? String == "host-a")
            #expect(runs.first { $0["id"] as? String == idB }?["host"] as? String == "host-b")
            let writes = try host.objects("audit")
            #expect(writes.map { "\($0["run_id"] ?? "") \($0["host"] ?? "") \($0["target"] ?? "")" } == [
                "\(idA) host-a id 1", "\(idB) host-b id 2",
            ])

            let text = try host.show("runs")
            #expect(text.output.contains("\(idA)  host-a  "), "\(text.all)")
            #expect(text.output.contains("\(idB)  host-b  "), "\(text.all)")
            let audit = try host.show("audit")
            #expect(audit.output.split(separator: "\n").contains { $0.contains(" host-a  \(idA)  live  done  resellers.add_credits") }, "\(audit.all)")
            #expect(audit.output.split(separator: "\n").contains { $0.contains(" host-b  \(idB)  live  done  resellers.add_credits") }, "\(audit.all)")
            printed += [text.all, audit.all]
        }
        // --local: this host's audit.sqlite only.
        #expect(try a.objects("runs", ["--local"]).compactMap { $0["id"] as? String } == [idA])
        #expect(try b.objects("audit", ["--local"]).compactMap { $0["run_id"] as? String } == [idB])
        #expect(!SharedDatabase.password.isEmpty)
        for text in printed { #expect(!text.contains(SharedDatabase.password)) }
    }

    @Test("the database down when a run ends: the run succeeds, runs shows this host's rows with a warning, and the next run copies the backlog once")
    func databaseDown() throws {
        let panel = try knownPanel()
        let config = panel.folder + "/nightshift.toml"
        let down = "postgres://nightshift@127.0.0.1:1/records"
        try writeConfig(config, store: down)
        let a = Host(name: "host-a", panel: panel, config: config)
        let b = Host(name: "host-b", panel: panel, config: config)
        let script = try panel.script("topup.lua", "resellers.add_credits(1, 2) print('topped up')")

        let first = try a.run(script)
        #expect(first.status == 0, "\(first.all)")
        #expect(first.output == "topped up\n")
        #expect(first.error.contains("nightshift run: warning: the run's records were not copied to the shared records: \(down): "), "\(first.error)")
        let id1 = try #require(Panel.runID(first))
        #expect(try panel.credits()["alice"] == 102)

        let fallback = try a.show("runs", ["--json"])
        #expect(fallback.status == 0)
        #expect(fallback.error.contains("nightshift runs: warning: cannot read the shared records: \(down): "), "\(fallback.error)")
        #expect(fallback.error.contains("showing this host's rows only"))
        #expect(fallback.output.contains(id1))

        // The database is back.
        try writeConfig(config, store: try SharedDatabase.fresh())
        let second = try a.run(script)
        #expect(second.status == 0 && !second.error.contains("warning"), "\(second.all)")
        let id2 = try #require(Panel.runID(second))
        // Host B has nothing of its own: what it shows is what was copied.
        let ids = try b.objects("runs").compactMap { $0["id"] as? String }
        #expect(ids.sorted() == [id1, id2].sorted())
        #expect(try b.objects("audit").compactMap { $0["run_id"] as? String }.sorted() == [id1, id2].sorted())

        let third = try a.run(script)
        #expect(third.status == 0 && !third.error.contains("warning"), "\(third.all)")
        let again = try b.objects("runs").compactMap { $0["id"] as? String }
        #expect(again.filter { $0 == id1 }.count == 1 && again.filter { $0 == id2 }.count == 1 && again.count == 3)
        for text in [first.all, fallback.all, second.all, third.all] { #expect(!text.contains(SharedDatabase.password)) }
    }

    @Test("the scheduler copies its jobs' records after each run: jobs get no password, and another host sees them under the daemon's --host")
    func daemonCopies() throws {
        let panel = try knownPanel()
        let config = panel.folder + "/nightshift.toml"
        try writeConfig(config, store: try SharedDatabase.fresh())
        let script = try panel.script("job.lua", "resellers.add_credits(3, 1)")
        let jobs = panel.folder + "/jobs.toml"
        try """
            [scheduler]
            state = "scheduler.sqlite"
            tick = 0.2

            [[jobs]]
            name = "topup"
            script = "\(script)"
            schedule = "@every 1s"
            timeout = "20s"
            panel = "\(panel.url)"
            grant = { allow = ["resellers.add_credits"], max_credits = 100 }
            """.write(toFile: jobs, atomically: true, encoding: .utf8)

        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: Nightshift.path)
        daemon.arguments = ["schedule", "--jobs", jobs, "--host", "daemon-x"]
        var environment = ProcessInfo.processInfo.environment
        environment["NIGHTSHIFT_API_KEY"] = Panel.key
        environment["NIGHTSHIFT_CONFIG"] = config
        environment["NIGHTSHIFT_STATE_DIR"] = panel.folder + "/state-daemon"
        daemon.environment = environment
        let log = panel.folder + "/daemon.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        daemon.standardOutput = FileHandle(forWritingAtPath: log)
        daemon.standardError = FileHandle(forWritingAtPath: log)
        try daemon.run()
        defer {
            if daemon.isRunning {
                daemon.terminate()
                daemon.waitUntilExit()
            }
        }

        let other = Host(name: "host-b", panel: panel, config: config)
        var seen: [[String: Any]] = []
        let end = Date().addingTimeInterval(60)
        while Date() < end {
            seen = try other.objects("audit").filter { $0["host"] as? String == "daemon-x" && $0["outcome"] as? String == "done" }
            if !seen.isEmpty { break }
            usleep(200_000)
        }
        daemon.terminate()
        daemon.waitUntilExit()
        let daemonLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(!seen.isEmpty, "\(daemonLog)")
        let runID = try #require(seen.first?["run_id"] as? String)
        let run = try other.objects("runs").first { $0["id"] as? String == runID }
        #expect(run?["host"] as? String == "daemon-x")
        #expect(run?["status"] as? String == "succeeded")

        // The jobs left the copy to the daemon: none tried and failed (they have no password).
        let logs = FileManager.default.enumerator(atPath: panel.folder + "/scheduler.sqlite.runs")?.allObjects as? [String] ?? []
        #expect(!logs.isEmpty)
        for name in logs where name.hasSuffix(".log") {
            let text = (try? String(contentsOfFile: panel.folder + "/scheduler.sqlite.runs/" + name, encoding: .utf8)) ?? ""
            #expect(!text.contains("not copied"), "\(text)")
            #expect(!text.contains(SharedDatabase.password))
        }
        #expect(!daemonLog.contains(SharedDatabase.password))
        #expect(daemonLog.contains("copying run records to the shared records"), "\(daemonLog)")
    }
}
