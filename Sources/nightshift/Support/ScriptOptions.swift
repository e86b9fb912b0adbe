import ArgumentParser
import Foundation
import ScriptRuntime

/// `--max-tasks` and `--module-path`: how a script runs, for `run` and `repl`.
struct ScriptOptions: ParsableArguments {
    @Option(
        name: .customLong("max-tasks"),
        help: ArgumentHelp("Most tasks alive at once; one more ends the run with a limit error.", valueName: "n"))
    var maxTasks: Int = ScriptRun.defaultMaxTasks

    @Option(
        name: .customLong("module-path"),
        help: ArgumentHelp(
            "A folder `require` loads modules from (repeatable; after [modules] paths in nightshift.toml).",
            valueName: "dir"))
    var modulePaths: [String] = []

    func validate() throws {
        guard maxTasks >= 1 else { throw ValidationError("--max-tasks must be 1 or more (default \(ScriptRun.defaultMaxTasks))") }
        for path in modulePaths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--module-path \(path): no such folder")
            }
        }
    }

    /// The folders `require` searches: the configuration's, then the flags'.
    func modulePaths(_ configuration: NightshiftConfiguration) -> [String] {
        configuration.modulePaths + modulePaths
    }
}
