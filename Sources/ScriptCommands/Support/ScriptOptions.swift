import ArgumentParser
import Foundation
import ScriptRuntime
import NightshiftConfig

/// `--max-tasks` and `--module-path`: how a script runs, for `run` and `repl`.
public struct ScriptOptions: ParsableArguments {
    public init() {}

    @Option(
        name: .customLong("max-tasks"),
        help: ArgumentHelp("Most tasks alive at once; one more ends the run with a limit error.", valueName: "n"))
    public var maxTasks: Int = ScriptRun.defaultMaxTasks

    @OptionGroup public var modules: ModuleOptions

    public func validate() throws {
        guard maxTasks >= 1 else { throw ValidationError("--max-tasks must be 1 or more (default \(ScriptRun.defaultMaxTasks))") }
    }

    /// The folders `require` searches: the configuration's, then the flags'.
    public func modulePaths(_ configuration: NightshiftConfiguration) -> [String] {
        modules.paths(configuration)
    }
}

/// `--module-path`: the folders `require` loads modules from, for `run`, `repl` and `check`.
public struct ModuleOptions: ParsableArguments {
    public init() {}

    @Option(
        name: .customLong("module-path"),
        help: ArgumentHelp(
            "A folder `require` loads modules from (repeatable; searched after [modules] paths in nightshift.toml).",
            valueName: "dir"))
    public var modulePaths: [String] = []

    public func validate() throws {
        for path in modulePaths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--module-path \(path): no such folder")
            }
        }
    }

    /// The configuration's folders, then the flags'.
    public func paths(_ configuration: NightshiftConfiguration) -> [String] {
        configuration.modulePaths + modulePaths
    }
}
