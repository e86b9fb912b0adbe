import Foundation
import TestScratch
import Testing

/// Five `nightshift emulator` processes on loopback, each with its own key, named in one
/// nightshift.toml as [panels.p1] ... [panels.p5], each key in a file of its own (mode 600).
final class Fleet: @unchecked Sendable {
    let panels: [Panel]
    let folder: String
    var names: [String] { panels.indices.map { "p\($0 + 1)" } }
    var config: String { folder + "/nightshift.toml" }
    var state: String { folder + "/state" }

    /// - Parameter keys: the key written to each panel's key file; nil: the panel's own.
    init(count: Int = 5, seed: Int = 6, keys: [Int: String] = [:], extra: [String] = []) throws {
        folder = try Scratch.folder("nightshift-fleet")
        panels = try (1...count).map { index in
            try Panel(seed: seed, extra: extra, key: "fleet-key-\(index)-" + UUID().uuidString.prefix(12).lowercased())
        }
        var toml = "[state]\ndir = \"state\"\n"
        for (index, panel) in panels.enumerated() {
            let name = "p\(index + 1)"
            let keyFile = folder + "/\(name).key"
            try ((keys[index + 1] ?? panel.key) + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
            chmod(keyFile, 0o600)
            toml += "\n[panels.\(name)]\nurl = \"\(panel.url)\"\nkey_file = \"\(name).key\"\n"
        }
        try toml.write(toFile: config, atomically: true, encoding: .utf8)
    }

    func stop() { panels.forEach { $0.stop() } }

    /// Writes `source` to a script in the fleet's folder.
    func script(_ name: String, _ source: String) throws -> String {
        let path = folder + "/" + name
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `nightshift run SCRIPT --config nightshift.toml --panels all` plus `flags`, with no key
    /// in the environment.
    func run(_ script: String, _ flags: [String] = [], panels: String = "all") throws -> Nightshift.Result {
        try Nightshift.run(["run", script, "--config", config, "--panels", panels] + flags)
    }

    /// Reseller `id`'s credits on each of `panels`, read by a read-only fleet run.
    func credits(of id: Int, panels: String = "all") throws -> [String: Int] {
        let path = try script("credits.lua", "for _, r in ipairs(resellers.list()) do if r.id == \(id) then print(r.credits) end end")
        let result = try run(path, panels: panels)
        var credits: [String: Int] = [:]
        for line in result.output.split(separator: "\n") {
            // "[p3] 120"
            guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { continue }
            credits[String(line[line.index(after: line.startIndex)..<close])] = Int(line[line.index(close, offsetBy: 2)...])
        }
        return credits
    }

    /// `/_emulator/stats` of every panel.
    func stats() throws -> [[String: Int]] {
        try panels.map { panel in
            let data = try Data(contentsOf: URL(string: panel.url + "_emulator/stats")!)
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Int])
        }
    }

    /// The audit log's rows as JSON objects.
    func audit() throws -> [[String: Any]] {
        let result = try Nightshift.run(["audit", "--state", state, "--json", "--local"])
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
    }
}

@Suite("fleet runs over five emulator processes, each with its own key", .serialized)
struct FleetEndToEndTests {
    static let topUp = """
        resellers.add_credits(1, 10)
        print(panel.name .. " topped up")
        """

    @Test("a fleet top-up moves credits on every panel, each run recorded with its panel's name")
    func topUp() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let before = try fleet.credits(of: 1)
        let script = try fleet.script("topup.lua", Self.topUp)
        let result = try fleet.run(script, ["--allow", "resellers.add_credits", "--max-credits", "10"])
        #expect(result.status == 0, "\(result.all)")
        let after = try fleet.credits(of: 1)
        for name in fleet.names {
            #expect(after[name] == before[name].map { $0 + 10 }, "\(name): \(after)")
            #expect(result.output.contains("[\(name)] \(name) topped up\n"))
        }
        #expect(result.error.contains("[live]: 5 panels: 5 succeeded; 5 writes sent, 50 credits moved"), "\(result.error)")
        let rows = try fleet.audit().filter { ($0["endpoint"] as? String) == "resellers.add_credits" }
        #expect(rows.compactMap { $0["panel"] as? String }.sorted() == fleet.names)
        #expect(rows.allSatisfy { ($0["outcome"] as? String) == "done" })
    }

    @Test("one panel down: the others finish, that one is reported, and the exit code says some failed (11)")
    func onePanelDown() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let before = try fleet.credits(of: 1)
        fleet.panels[2].stop()
        let script = try fleet.script("topup.lua", Self.topUp)
        let result = try fleet.run(script, ["--allow", "resellers.add_credits", "--max-credits", "10"])
        #expect(result.status == 11, "\(result.all)")
        #expect(result.error.contains("4 succeeded, 1 failed"), "\(result.error)")
        let line = try #require(result.error.split(separator: "\n").first { $0.hasPrefix("  p3 ") })
        #expect(line.contains("failed"))
        #expect(line.contains("connection refused"), "\(line)")
        let after = try fleet.credits(of: 1, panels: "p1,p2,p4,p5")
        for name in fleet.names where name != "p3" { #expect(after[name] == before[name].map { $0 + 10 }) }
    }

    @Test("one panel with a wrong key: 'invalid API key' from panels test and from the run")
    func wrongKey() throws {
        let fleet = try Fleet(keys: [2: "not-the-key-of-p2"])
        defer { fleet.stop() }
        let test = try Nightshift.run(["panels", "test", "--config", fleet.config])
        #expect(test.status == 11, "\(test.all)")
        let lines = test.output.split(separator: "\n")
        #expect(lines.count == 5, "\(test.output)")
        for line in lines {
            if line.hasPrefix("p2 ") {
                #expect(line.contains("invalid API key"), "\(line)")
                #expect(line.contains("copy the key again"))
                #expect(line.contains("key_file \(fleet.folder)/p2.key"))
            } else {
                #expect(line.contains(" ok in "), "\(line)")
            }
        }
        let script = try fleet.script("topup.lua", Self.topUp)
        let run = try fleet.run(script, ["--allow", "resellers.add_credits", "--max-credits", "10"])
        #expect(run.status == 11, "\(run.all)")
        let line = try #require(run.error.split(separator: "\n").first { $0.hasPrefix("  p2 ") })
        #expect(line.contains("not authorised"), "\(line)")
        #expect(!run.all.contains("not-the-key-of-p2"))
    }

    @Test("panels test tells a refused connection, an address not on the allow-list and a TLS error apart")
    func panelsTestKinds() throws {
        let allowed = try Panel(seed: 1, extra: ["--allowed-ip", "192.0.2.1"])
        defer { allowed.stop() }
        let down = try Panel(seed: 1)
        down.stop()
        let plain = try Panel(seed: 1)
        defer { plain.stop() }
        let folder = try Scratch.folder("nightshift-panels")
        var toml = ""
        for (name, panel, url) in [
            ("allow", allowed, allowed.url), ("down", down, down.url),
            ("tls", plain, "https://127.0.0.1:\(plain.port)/"), ("good", plain, plain.url),
        ] {
            try (panel.key + "\n").write(toFile: folder + "/\(name).key", atomically: true, encoding: .utf8)
            chmod(folder + "/\(name).key", 0o600)
            toml += "[panels.\(name)]\nurl = \"\(url)\"\nkey_file = \"\(name).key\"\n"
        }
        try toml.write(toFile: folder + "/nightshift.toml", atomically: true, encoding: .utf8)
        let result = try Nightshift.run(["panels", "test", "--config", folder + "/nightshift.toml", "--json"])
        #expect(result.status == 11, "\(result.all)")
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: objects.map { ($0["name"] as! String, $0) })
        #expect(byName["allow"]?["result"] as? String == "address not allowed")
        #expect((byName["allow"]?["detail"] as? String)?.contains("Allowed IPs") == true)
        #expect(byName["down"]?["result"] as? String == "connection refused")
        #expect(byName["tls"]?["result"] as? String == "TLS error", "\(byName["tls"] ?? [:])")
        #expect(byName["good"]?["result"] as? String == "ok")
        #expect(byName["good"]?["round_trip_ms"] is Int)
    }

    @Test("a fleet-wide cap stops exactly at the total: the panels together move 70 credits, not one more")
    func fleetCap() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let before = try fleet.credits(of: 1)
        // Each panel wants 30 (150 in all); every write is 10, so the cap is reached exactly.
        let script = try fleet.script("topup.lua", "for _ = 1, 3 do resellers.add_credits(1, 10) end")
        let result = try fleet.run(script, ["--allow", "resellers.add_credits", "--max-credits-total", "70"])
        // Every panel refused (2), or some finished their three writes first (11): the total is what is exact.
        #expect(result.status == 2 || result.status == 11, "\(result.all)")
        let after = try fleet.credits(of: 1)
        let moved = fleet.names.reduce(0) { $0 + (after[$1]! - before[$1]!) }
        #expect(moved == 70)
        let rows = try fleet.audit().filter { ($0["endpoint"] as? String) == "resellers.add_credits" }
        #expect(rows.filter { ($0["outcome"] as? String) == "done" }.count == 7)
        #expect(rows.filter { ($0["outcome"] as? String) == "refused" }.allSatisfy {
            ($0["answer"] as? String)?.contains("would pass the fleet's cap of 70") == true
        })
        #expect(result.error.contains("70 credits moved (fleet cap 70)"), "\(result.error)")
    }

    @Test("a fleet dry-run sends no write to any panel, and prints each panel's plan")
    func dryRun() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let script = try fleet.script("topup.lua", Self.topUp)
        let result = try fleet.run(script, ["--allow", "resellers.add_credits", "--max-credits", "10", "--dry-run"])
        #expect(result.status == 0, "\(result.all)")
        let stats = try fleet.stats()
        #expect(stats.allSatisfy { $0["mutations"] == 0 }, "\(stats)")
        #expect(stats.allSatisfy { ($0["requests"] ?? 0) > 0 }, "the dry-run read nothing: the test proves nothing")
        for name in fleet.names {
            #expect(result.output.contains("[\(name)] Plan (dry-run, nothing was sent): 1 change, 10 credits moved"), "\(result.output)")
        }
    }

    @Test("no key appears in any file, output or record of a fleet run")
    func noKeyAnywhere() throws {
        let fleet = try Fleet(keys: [4: "wrong-key-for-p4-0123456789"])
        defer { fleet.stop() }
        let script = try fleet.script("leak.lua", """
            print(json.encode(resellers.list()))
            resellers.add_credits(1, 5)
            local ok, err = pcall(resellers.add_credits, 'nobody', 1)
            log.error(tostring(err))
            """)
        let receipt = fleet.folder + "/receipt.json"
        var everything = ""
        for flags in [["--dry-run"], [], ["--json"], ["--result-file", receipt]] {
            everything += try fleet.run(script, flags + ["--allow", "resellers.*", "--max-credits", "10"]).all
        }
        everything += try Nightshift.run(["panels", "--config", fleet.config, "--json"]).all
        everything += try Nightshift.run(["panels", "test", "--config", fleet.config]).all
        everything += try Nightshift.run(["audit", "--state", fleet.state, "--json", "--local"]).all
        everything += try Nightshift.run(["runs", "--state", fleet.state, "--json", "--output", "--local"]).all
        everything += try Fleet.files(under: fleet.folder, excluding: { $0.hasSuffix(".key") })
        #expect(everything.contains("resellers.add_credits"))
        #expect(everything.contains("sha256:"))
        for key in fleet.panels.map(\.key) + ["wrong-key-for-p4-0123456789"] {
            #expect(!everything.contains(key), "a key leaked")
        }
    }
}

extension Fleet {
    /// Every regular file under `folder` (but those `excluding` picks) as text, bytes as they are.
    static func files(under folder: String, excluding: (String) -> Bool) throws -> String {
        var text = ""
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let name = enumerator?.nextObject() as? String {
            let path = folder + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                !excluding(path), let data = FileManager.default.contents(atPath: path)
            else { continue }
            text += String(decoding: data, as: UTF8.self)
        }
        return text
    }
}
