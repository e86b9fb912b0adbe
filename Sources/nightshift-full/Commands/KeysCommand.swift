import ArgumentParser
import Foundation
import NightshiftCore
import Operations
import Plans
import ScriptCommands

/// `nightshift keys new NAME`: an approver's key pair.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make approvers' Ed25519 key pairs for approving plans.",
        subcommands: [New.self]
    )

    /// `nightshift keys new NAME`.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new",
            abstract: "Make a key pair: NAME.key (private, mode 600) and the line to add to [approvals] in nightshift.toml.",
            discussion: "Keep NAME.key where only you can read it: apply and approve refuse a key file others can read. See docs/plans.md."
        )

        @Argument(help: "The approver's name, as [approvals] lists it.")
        var name: String

        @Option(help: "The folder to write NAME.key in (default: the current folder).")
        var dir: String = "."

        func run() throws {
            do {
                let (path, publicKey) = try PlanKeys.make(name: name, folder: dir)
                Output.error("wrote \(path) (mode 600: keep it to yourself)")
                Output.out("{ name = \"\(name)\", key = \"\(publicKey)\" }")
                Output.error("add the line above to approvers in [approvals] of nightshift.toml")
            } catch {
                Output.error("nightshift keys new: \(error)")
                throw RunExitCode.configuration.exit
            }
        }
    }
}
