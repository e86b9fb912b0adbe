import ArgumentParser
import ScriptRuntime

/// `--max-tasks`: how many tasks a script may have alive at once, for `run` and `repl`.
struct TaskOptions: ParsableArguments {
    @Option(
        name: .customLong("max-tasks"),
        help: ArgumentHelp("Most tasks alive at once; one more ends the run with a limit error.", valueName: "n"))
    var maxTasks: Int = ScriptRun.defaultMaxTasks

    func validate() throws {
        guard maxTasks >= 1 else { throw ValidationError("--max-tasks must be 1 or more (default \(ScriptRun.defaultMaxTasks))") }
    }
}
