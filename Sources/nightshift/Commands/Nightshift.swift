import ArgumentParser

/// The `nightshift` command: automation scripts for MidnightStreamer Pro panels.
struct Nightshift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightshift",
        abstract: "Run Lua automation scripts against a MidnightStreamer Pro panel.",
        discussion: "See docs/ for the user guide. Exit codes are listed in docs/exit-codes.md.",
        version: "0.2.0",
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
        ]
    )
}
