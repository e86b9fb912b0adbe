import Foundation
import LuaHost
import NightshiftCore
import PanelAPI
import Testing
import TestScratch

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

/// A module folder in a temporary directory, with files written by the test.
struct ModuleFolder {
    let root: String
    var path: String { root + "/modules" }

    /// Makes the folder with `files` in it and `outside` files beside it (text, by relative
    /// path), and `links` in it to paths beside it (`["lib/x.lua": "x.lua"]` leads outside).
    init(_ files: [String: String] = [:], outside: [String: String] = [:], links: [String: String] = [:]) throws {
        root = Scratch.path("nightshift-modules")
        try FileManager.default.createDirectory(atPath: root + "/modules", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/outside", withIntermediateDirectories: true)
        for (relative, text) in files { try write(relative, text) }
        for (relative, text) in outside { try write(relative, text, outside: true) }
        for (relative, target) in links { try link(relative, to: root + "/outside/" + target) }
    }

    /// Writes `text` at `relative` under the module folder (or under the root with `outside`).
    func write(_ relative: String, _ text: String, outside: Bool = false) throws {
        try write(relative, Array(text.utf8), outside: outside)
    }

    func write(_ relative: String, _ bytes: [UInt8], outside: Bool = false) throws {
        let file = (outside ? root + "/outside" : path) + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
    }

    func link(_ relative: String, to destination: String) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: destination)
    }
}

@Suite("require: shared modules, and scripts that try to misuse them")
struct RequireTests {
    /// Runs `source` with `folder` as the module folder, expecting the run to end as `status`.
    @discardableResult
    func run(
        _ folder: ModuleFolder, _ source: String, grant: Grant = Grant(), expecting status: RunStatus,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RunResult {
        try await Harness.make().run(
            source, grant: grant, modulePaths: [folder.path], expecting: status, sourceLocation: sourceLocation)
    }

    @Test("a module is found under its folder, runs once, and every require returns its value")
    func loadsOnce() async throws {
        let folder = try ModuleFolder([
            "lib/format.lua": "count = (count or 0) + 1\nreturn { credits = function(n) return n .. ' cr' end }"
        ])
        try await run(
            folder,
            """
            local a = require "lib.format"
            local b = require("lib.format")
            assert(a == b and a.credits(5) == "5 cr" and count == 1)
            """, expecting: .succeeded)
    }

    @Test("a.b may also be a/b/init.lua, and a module without a return value gives true")
    func initAndTrue() async throws {
        let folder = try ModuleFolder(["pricing/init.lua": "return 42", "side.lua": "loaded_side = true"])
        try await run(
            folder, "assert(require('pricing') == 42) assert(require('side') == true and loaded_side)", expecting: .succeeded)
    }

    @Test("hostile: path traversal in the name is refused")
    func traversal() async throws {
        let folder = try ModuleFolder(outside: ["secret.lua": "return 'secret'"])
        let result = try await run(folder, "require '../outside/secret'", expecting: .failed)
        #expect(result.error == "test.lua:1: module name '../outside/secret' is not valid: use letters, digits and _ in parts separated by dots, as in lib.format (no paths)")
    }

    @Test(
        "hostile: an absolute path, an empty part, a slash or another character outside the name rules is refused",
        arguments: ["/etc/passwd", "lib..x", "lib/x", "", ".x", "x.", "x-y", "x y"])
    func badName(_ name: String) async throws {
        let folder = try ModuleFolder()
        let result = try await run(folder, "require '\(name)'", expecting: .failed)
        #expect(
            result.error
                == "test.lua:1: module name '\(name)' is not valid: use letters, digits and _ in parts separated by dots, as in lib.format (no paths)"
        )
    }

    @Test("hostile: a name that is not a string is refused in Lua's words")
    func nameNotAString() async throws {
        let folder = try ModuleFolder()
        let result = try await run(folder, "require(5)", expecting: .failed)
        #expect(result.error == "test.lua:1: bad argument #1 to 'require' (string expected, got number)")
    }

    @Test("hostile: a link to a file outside the module folder is refused")
    func fileLinkEscape() async throws {
        let folder = try ModuleFolder(outside: ["evil.lua": "return 'evil'"], links: ["lib/evil.lua": "evil.lua"])
        let result = try await run(folder, "require 'lib.evil'", expecting: .failed)
        #expect(
            result.error
                == "test.lua:1: module 'lib.evil': \(folder.path)/lib/evil.lua leads to \(folder.root)/outside/evil.lua, outside the module folder \(folder.path); refused"
        )
    }

    @Test("hostile: a linked folder that leads outside is refused too")
    func folderLinkEscape() async throws {
        let folder = try ModuleFolder(outside: ["tools/x.lua": "return 'x'"], links: ["tools": "tools"])
        let result = try await run(folder, "require 'tools.x'", expecting: .failed)
        #expect(
            result.error
                == "test.lua:1: module 'tools.x': \(folder.path)/tools/x.lua leads to \(folder.root)/outside/tools/x.lua, outside the module folder \(folder.path); refused"
        )
    }

    @Test("hostile: bytecode is refused, even under a .lua name")
    func bytecode() async throws {
        let folder = try ModuleFolder()
        try folder.write("fast.lua", [0x1B, 0x4C, 0x75, 0x61, 0x54, 0x00, 0x19, 0x93, 0x0D, 0x0A])
        let result = try await run(folder, "require 'fast'", expecting: .failed)
        #expect(result.error == "test.lua:1: module 'fast': \(folder.path)/fast.lua is compiled Lua (bytecode); only source text is loaded")
    }

    @Test("hostile: a .luac file is never searched for")
    func luacNotSearched() async throws {
        let folder = try ModuleFolder()
        try folder.write("fast.luac", [0x1B, 0x4C, 0x75, 0x61])
        let result = try await run(folder, "require 'fast'", expecting: .failed)
        #expect(result.error == "test.lua:1: module 'fast' not found; searched:\n\t\(folder.path)/fast.lua\n\t\(folder.path)/fast/init.lua")
    }

    @Test("hostile: a module that requires itself is a clear cycle error")
    func selfRequire() async throws {
        let folder = try ModuleFolder(["me.lua": "return require 'me'"])
        let result = try await run(folder, "require 'me'", expecting: .failed)
        #expect(result.error == "cyclic require: me -> me")
    }

    @Test("hostile: a cycle through two modules names the whole chain")
    func cycle() async throws {
        let folder = try ModuleFolder(["a.lua": "return require 'b'", "b.lua": "return require 'a'"])
        let result = try await run(folder, "require 'a'", expecting: .failed)
        // `return require 'a'` is a tail call, so no line is left to name: the chain says it all.
        #expect(result.error == "cyclic require: a -> b -> a")
    }

    @Test("hostile: a module over 1 MiB is refused before it is read into the VM")
    func hugeModule() async throws {
        let folder = try ModuleFolder(["huge.lua": "return '" + String(repeating: "x", count: (1 << 20) + 10) + "'"])
        let result = try await run(folder, "require 'huge'", expecting: .failed)
        #expect(
            result.error
                == "test.lua:1: module 'huge': \(folder.path)/huge.lua is \((1 << 20) + 19) bytes; a module may be at most 1 MiB")
    }

    @Test("hostile: a module that changes another module's table changes it for everyone (one table per run)")
    func replacesOtherModulesTable() async throws {
        let folder = try ModuleFolder([
            "prices.lua": "return { rate = function() return 10 end }",
            "sneaky.lua": "require('prices').rate = function() return 0 end return true",
        ])
        try await run(folder, "require 'sneaky' assert(require('prices').rate() == 0)", expecting: .succeeded)
    }

    @Test("hostile: a module that replaces globals the prelude uses breaks nothing of the host's")
    func replacesGlobals() async throws {
        let folder = try ModuleFolder([
            "vandal.lua": "pcall, error, setmetatable, type, table, rawget = nil, nil, nil, nil, nil, nil return true",
            "after.lua": "return 'after'",
        ])
        let result = try await run(
            folder,
            """
            require 'vandal'
            assert(require('after') == 'after')
            resellers.add_credits(1, 5)
            """, grant: Grant(allowed: [.resellersList]), expecting: .refused)
        // The grant still holds, and the refusal is still an error object with its kind.
        #expect(result.errorKind == "not granted")
    }

    @Test("hostile: one file under two names (a link inside the folder) runs once")
    func twoNames() async throws {
        let folder = try ModuleFolder(["real.lua": "runs = (runs or 0) + 1 return {}"])
        try folder.link("alias.lua", to: "real.lua")
        let result = try await run(folder, "assert(require('alias') == require('real') and runs == 1)", expecting: .succeeded)
        #expect(result.modules.count == 1)
    }

    @Test("hostile: package, package.searchers and package.loaded set by the script are ignored")
    func packageTampering() async throws {
        let folder = try ModuleFolder(["x.lua": "return 'real'"])
        try await run(
            folder,
            """
            assert(package == nil)
            package = { loaded = { x = "fake" }, path = "/tmp/?.lua",
                        searchers = { function() return function() return "evil" end end } }
            assert(require('x') == 'real')
            """, expecting: .succeeded)
    }

    @Test("hostile: a module runs in the sandbox with the run's grant, and cannot widen it")
    func moduleSandboxAndGrant() async throws {
        let folder = try ModuleFolder([
            "escape.lua": """
            assert(io == nil and debug == nil and os.execute == nil and __nightshift_host == nil and dofile == nil)
            return function() return resellers.add_credits(1, 5) end
            """
        ])
        let result = try await run(folder, "require('escape')()", grant: Grant(allowed: [.resellersList]), expecting: .refused)
        #expect(result.error?.contains("resellers.add_credits is not granted") == true, "\(result.error ?? "")")
    }

    @Test("a missing module's error lists every path searched, folder by folder")
    func missingListsFolders() async throws {
        let first = try ModuleFolder()
        let second = try ModuleFolder()
        let result = try await Harness.make().run("require 'lib.gone'", modulePaths: [first.path, second.path])
        #expect(
            result.error
                == "test.lua:1: module 'lib.gone' not found; searched:\n\t\(first.path)/lib/gone.lua\n\t\(first.path)/lib/gone/init.lua\n\t\(second.path)/lib/gone.lua\n\t\(second.path)/lib/gone/init.lua")
    }

    @Test("without module folders, require says how to name one")
    func noFolders() async throws {
        let result = try await Harness.make().run("require 'x'")
        #expect(result.error?.contains("no module folders are set (name one with --module-path DIR or [modules] paths in nightshift.toml)") == true)
    }

    @Test("errors in a module name the module's file and line; a syntax error too")
    func moduleErrors() async throws {
        let folder = try ModuleFolder(["lib/bad.lua": "local x = 1\nerror('bad rule')", "lib/broken.lua": "return {"])
        try await run(
            folder,
            """
            local ok, err = pcall(require, 'lib.bad')
            assert(err == "lib/bad.lua:2: bad rule", err)
            ok, err = pcall(require, 'lib.broken')
            assert(not ok and err:find("lib/broken.lua:1:", 1, true), err)
            """, expecting: .succeeded)
    }

    @Test("the run record keeps every module's path and SHA-256")
    func runRecordModules() async throws {
        let folder = try ModuleFolder()
        let text = "return {}"
        try folder.write("lib/a.lua", text)
        let h = try await Harness.make()
        let result = try await h.run("require 'lib.a'", modulePaths: [folder.path])
        let real = ModuleSearch.realPath(folder.path + "/lib/a.lua")!
        #expect(result.modules == [RunResult.Module(path: real, sha256: ContentHash.sha256(Array(text.utf8)))])
        let record = try #require(try h.audit.runs().first { $0.id == result.runID })
        #expect(record.modules == "\(real) \(ContentHash.sha256(Array(text.utf8)))")
    }

    @Test("audit rows and plans name the file and line that made each write, module or script")
    func writeLocations() async throws {
        let folder = try ModuleFolder(["lib/topup.lua": "return function(id)\n  resellers.add_credits(id, 1)\nend"])
        let h = try await Harness.make()
        let source = "local topup = require 'lib.topup'\ntopup(1)\nresellers.add_credits(2, 1)\ntasks.spawn(topup, 1):wait()"
        let grant = writeGrant(.resellersAddCredits, max: 10)
        let dry = try await h.run(source, grant: grant, mode: .dryRun, modulePaths: [folder.path])
        #expect(dry.plan.map(\.location) == ["lib/topup.lua:2", "test.lua:3", "lib/topup.lua:2"])
        #expect(dry.plan.first?.description.hasSuffix("[lib/topup.lua:2]") == true)
        let live = try await h.run(source, grant: grant, modulePaths: [folder.path])
        #expect(try h.writes(live.runID).map(\.location) == ["lib/topup.lua:2", "test.lua:3", "lib/topup.lua:2"])
    }
}
