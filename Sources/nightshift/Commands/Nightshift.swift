import ArgumentParser
import ScriptCommands

/// `nightshift` itself: the script commands. Every other command (and `nightshift --help`)
/// is `nightshift-full`'s, which `Entry` hands it to before parsing.
struct Nightshift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightshift",
        abstract: "Run Lua automation scripts against a MidnightStreamer Pro panel.",
        version: NightshiftVersion.current,
        subcommands: [RunCommand.self, ReplCommand.self, CheckCommand.self, TypesCommand.self]
    )
}
