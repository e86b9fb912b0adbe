import ArgumentParser
import Foundation
import Operations
import ScriptRuntime
import ScriptAPI

/// `nightshift types`: writes Lua Language Server definitions of the script API.
public struct TypesCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "types",
        abstract: "Write Lua Language Server definitions of the script API (every catalogue group, tasks, json, log, args, sleep, require).",
        discussion: "Put the file in your scripts' folder (or list it in .luarc.json) and editors complete and check calls."
    )

    @Option(name: [.short, .customLong("output")], help: "Where to write them ('-' for standard output).")
    public var output: String = "nightshift.d.lua"

    @Option(name: .customLong("config"), help: "nightshift.toml whose [[endpoints]] are included (default: ./nightshift.toml, then ~/.config/nightshift/).")
    public var configPath: String?

    public func run() throws {
        let text: String
        do {
            text = LuaTypeDefinitions.text(for: try Environment().configuration(explicit: configPath).catalogue)
        } catch {
            Output.error("nightshift types: \(error)")
            throw NightshiftExitCode.configuration.exit
        }
        if output == "-" {
            Output.out(text, newline: false)
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else {
            Output.error("nightshift types: cannot write \(output); choose another path with --output")
            throw NightshiftExitCode.configuration.exit
        }
        Output.error("wrote \(output)")
    }
}
