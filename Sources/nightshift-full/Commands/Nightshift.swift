import ArgumentParser
import ScriptCommands

/// The `nightshift` command, every subcommand of it: what `nightshift-full` runs. The script
/// commands (run, repl, check, types) are ScriptCommands', which `nightshift` runs itself.
struct Nightshift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightshift",
        abstract: "Run Lua automation scripts against a MidnightStreamer Pro panel.",
        discussion: "See docs/ for the user guide. Exit codes are listed in docs/exit-codes.md.",
        version: NightshiftVersion.current,
        subcommands: [
            EmulatorCommand.self,
            CronCommand.self,
            JobsCommand.self,
            HistoryCommand.self,
            ScheduleCommand.self,
            RunCommand.self,
            PlanCommand.self,
            ShowCommand.self,
            ApproveCommand.self,
            RejectCommand.self,
            ApplyCommand.self,
            KeysCommand.self,
            PanelsCommand.self,
            ReplCommand.self,
            CheckCommand.self,
            AuditCommand.self,
            RunsCommand.self,
            TypesCommand.self,
            ConsoleCommand.self,
            ShipRecordsCommand.self,
        ]
    )
}
