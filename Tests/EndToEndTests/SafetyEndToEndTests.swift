import Foundation
import Testing
import TestScratch

@Suite("nightshift run: hostile scripts, limits, secrets, configuration", .serialized)
struct SafetyEndToEndTests {
    /// Scripts from the LuaHost hostile suite that only a limit can stop, plus a C-level hang.
    static let hostile: [(name: String, source: String, message: String)] = [
        ("while true", "while true do end", "limit"),
        ("loop caught by pcall in a loop", "while true do pcall(function() while true do end end) end", "limit"),
        ("xpcall handler that loops", "xpcall(function() while true do end end, function() while true do end end)", "limit"),
        ("growing table", "local t = {} for i = 1, 1e9 do t[i] = i end", "memory limit"),
        ("doubling concatenation", "local s = 'x' while true do s = s .. s end", "memory limit"),
        ("non-tail recursion", "local function f() return 1 + f() end return f()", "limit"),
        ("resume swallowing the limit", "while true do coroutine.resume(coroutine.create(function() while true do end end)) end", "limit"),
        ("looping <close> handler", "local x <close> = setmetatable({}, {__close = function() while true do end end}) while true do end", "limit"),
        ("sleep past the deadline", "sleep(3600) while true do end", "time limit of 2 s exceeded"),
        ("C-level pattern backtracking", "local s = string.rep('a', 60) return s:find(string.rep('a?', 60) .. 'b')", "stuck inside a library call"),
    ]

    @Test("hostile scripts end with a message naming the limit, exit 3, and the process never crashes", arguments: hostile.map(\.name))
    func hostileScript(name: String) throws {
        let entry = try #require(Self.hostile.first { $0.name == name })
        try withKnownPanel { panel in
            let result = try panel.run("hostile.lua", source: entry.source, ["--timeout", "2s", "--memory", "16M"], expecting: 3)
            #expect(result.exited)
            #expect(result.error.contains(entry.message), "\(result.error)")
        }
    }

    @Test("the API key appears in no output, audit record, run record or error")
    func keyNeverShown() throws {
        try withKnownPanel { panel in
            var everything = ""
            let script = try panel.script("leak.lua", """
                print(json.encode(resellers.list()))
                resellers.add_credits(1, 1)
                local ok, err = pcall(resellers.add_credits, 'nobody', 1)
                log.error(tostring(err), err.message)
                error(err)
                """)
            for flags in [["--dry-run"], [], ["--json"]] {
                let result = try panel.run(script, flags + ["--allow", "resellers.*", "--max-credits", "5"])
                everything += result.all
            }
            // A wrong key: the panel's refusal must not echo ours back.
            everything += try panel.run(script, environment: ["NIGHTSHIFT_API_KEY": Panel.key + "x"]).all
            everything += try panel.audit(["--json"]).all
            everything += try Nightshift.run(["runs", "--state", panel.state, "--json", "--output"]).all
            for file in ["audit.sqlite", "audit.sqlite-wal"] {
                if let data = FileManager.default.contents(atPath: panel.state + "/" + file) {
                    everything += String(decoding: data, as: UTF8.self)
                }
            }
            #expect(everything.contains("resellers.add_credits"))
            #expect(!everything.contains(Panel.key))
        }
    }

    @Test("without an API key the run does not start and says how to give one (exit 6)")
    func noKey() throws {
        try withKnownPanel { panel in
            let result = try panel.run(try panel.script("list.lua", "resellers.list()"), environment: [:])
            #expect(result.status == 6)
            #expect(result.error.contains("NIGHTSHIFT_API_KEY"))
        }
    }

    @Test("a key file that others can read is refused (exit 6); mode 600 is accepted")
    func keyFileMode() throws {
        try withKnownPanel { panel in
            let script = try panel.script("list.lua", "resellers.list()")
            let keyFile = try panel.keyFile(mode: 0o644)
            let open = try panel.run(script, ["--key-file", keyFile], environment: [:])
            #expect(open.status == 6)
            #expect(open.error.contains("chmod 600"))
            chmod(keyFile, 0o600)
            let closed = try panel.run(script, ["--key-file", keyFile], environment: [:])
            #expect(closed.status == 0, "\(closed.all)")
        }
    }

    @Test("nightshift.toml gives the panel URL and key file")
    func configurationFile() throws {
        try withKnownPanel { panel in
            _ = try panel.keyFile(mode: 0o600)
            let config = panel.folder + "/nightshift.toml"
            try "[panel]\nurl = \"\(panel.url)\"\nkey_file = \"key\"\n[state]\ndir = \"state\"\n".write(toFile: config, atomically: true, encoding: .utf8)
            let script = try panel.script("count.lua", "print(#resellers.list())")
            let result = try Nightshift.run(["run", script, "--config", config])
            #expect(result.status == 0, "\(result.all)")
            #expect(result.output == "3\n")
        }
    }

    @Test("nightshift check reports a syntax error with its line (exit 5)")
    func checkSyntax() throws {
        let folder = Scratch.path("nightshift-e2e") + ".lua"
        try "local a = 1\nlocal b = = 2\n".write(toFile: folder, atomically: true, encoding: .utf8)
        let result = try Nightshift.run(["check", folder])
        #expect(result.status == 5)
        #expect(result.output.contains(":2: unexpected symbol near '='"), "\(result.output)")
    }

    @Test("nightshift check lists the functions used and the grant needed")
    func checkGrant() throws {
        let result = try Nightshift.run([
            "check", Nightshift.packageRoot + "/scripts/topup.lua", "--module-path", Nightshift.packageRoot + "/scripts/lib",
        ])
        #expect(result.status == 0)
        #expect(result.output.contains("needs: --allow resellers.add_credits --allow resellers.list"), "\(result.output)")
    }

    @Test("nightshift check --json gives the syntax error's line, and what a script uses and needs")
    func checkJSON() throws {
        let broken = Scratch.path("nightshift-e2e") + ".lua"
        try "local a = 1\nlocal b = = 2\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let bad = try Nightshift.run(["check", broken, "--json"])
        #expect(bad.status == 5)
        let badObject = try #require(try JSONSerialization.jsonObject(with: Data(bad.output.utf8)) as? [String: Any])
        let syntax = try #require(badObject["syntax_error"] as? [String: Any])
        #expect(syntax["line"] as? Int == 2)
        #expect((syntax["message"] as? String)?.contains("unexpected symbol near '='") == true)
        #expect(badObject["ok"] as? Bool == false)
        #expect(badObject["exit_code"] as? Int == 5)

        let topup = Nightshift.packageRoot + "/scripts/topup.lua"
        let good = try Nightshift.run([
            "check", topup, "--json", "--allow", "resellers.list", "--module-path", Nightshift.packageRoot + "/scripts/lib",
        ])
        #expect(good.status == 2, "\(good.all)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(good.output.utf8)) as? [String: Any])
        let uses = try #require(object["uses"] as? [[String: Any]])
        #expect(uses.compactMap { $0["function"] as? String } == ["resellers.add_credits", "resellers.list"])
        #expect(uses.allSatisfy { ($0["line"] as? Int ?? 0) > 0 })
        let needs = try #require(object["needs"] as? [String])
        #expect(needs.starts(with: ["--allow", "resellers.add_credits", "--allow", "resellers.list"]))
        let grant = try #require(object["grant"] as? [String: Any])
        #expect(grant["enough"] as? Bool == false)
        #expect((grant["problems"] as? [String])?.isEmpty == false)
        #expect(object["syntax_error"] is NSNull)
    }
}

@Suite("nightshift run: a write without an answer", .serialized)
struct OutcomeUnknownEndToEndTests {
    @Test("a dropped answer stops the run with exit 4 and the audit log says outcome unknown")
    func droppedAnswer() throws {
        let panel = try Panel(seed: 3, extra: ["--drop-rate", "1"])
        defer { panel.stop() }
        let result = try panel.run(
            "give.lua", source: "pcall(resellers.add_credits, 1, 5) resellers.add_credits(2, 5)",
            ["--allow", "resellers.add_credits", "--max-credits", "10"], expecting: 4)
        #expect(result.error.contains("look at the reseller in the panel before running again"))
        let rows = try JSONSerialization.jsonObject(with: Data(try panel.auditJSON(of: result).utf8)) as? [[String: Any]]
        #expect(rows?.map { $0["outcome"] as? String } == ["outcome unknown"])
    }
}

extension Panel {
    /// `nightshift run SCRIPT --panel URL --state STATE` plus `flags`, with `environment` in
    /// place of the one that holds the API key.
    func run(_ script: String, _ flags: [String] = [], environment: [String: String]) throws -> Nightshift.Result {
        try Nightshift.run(["run", script, "--panel", url, "--state", state] + flags, environment: environment)
    }

    /// Writes the API key to `key` in the panel's folder with permissions `mode`; returns its path.
    func keyFile(mode: mode_t) throws -> String {
        let path = folder + "/key"
        try Panel.key.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
        return path
    }
}
