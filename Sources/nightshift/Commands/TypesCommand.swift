import ArgumentParser
import Foundation
import Operations
import ScriptRuntime

/// `nightshift types`: writes Lua Language Server definitions of the script API.
struct TypesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "types",
        abstract: "Write Lua Language Server definitions of the script API (every catalogue group, tasks, json, log, args, sleep, require).",
        discussion: "Put the file in your scripts' folder (or list it in .luarc.json) and editors complete and check calls."
    )

    @Option(name: [.short, .customLong("output")], help: "Where to write them ('-' for standard output).")
    var output: String = "nightshift.d.lua"

    func run() throws {
        if output == "-" {
            Output.out(LuaTypeDefinitions.text, newline: false)
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: Data(LuaTypeDefinitions.text.utf8)) else {
            Output.error("nightshift types: cannot write \(output); choose another path with --output")
            throw NightshiftExitCode.configuration.exit
        }
        Output.error("wrote \(output)")
    }
}
