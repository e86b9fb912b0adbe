import Foundation
import LuaHost
import ScriptAPI

/// Installs the whole script API in a VM: the catalogue's groups (`resellers.*`, `panel.call`,
/// ...), `tasks.*`, `log.*`, `json.*`, `args`, `sleep`, `require`, over one guarded panel. Shared by `nightshift run` and the REPL.
enum APIInstaller {
    /// What the installed API gives its runner.
    struct Installed {
        /// Runs a chunk (its argument) and then waits for its tasks: how the script runs.
        let runMain: LuaFunctionRef
        /// Waits for the tasks still running (the end of a REPL statement).
        let join: LuaFunctionRef
        /// The run's tasks.
        let scheduler: TaskScheduler
        /// The modules `require` loaded.
        let modules: RequireModule.Loaded
    }

    static func install(
        into vm: LuaVM, panel: GuardedPanel, output: OutputSink, arguments: [(key: String, value: String)],
        maxTasks: Int, defaultConcurrency: Int, modules: ModuleSearch, catalogue: APICatalogue = .standard,
        panelName: String
    ) throws(LuaError) -> Installed {
        let loaded = RequireModule.Loaded()
        let scheduler = TaskScheduler(vm: vm, maxTasks: maxTasks)
        scheduler.deliversInOrder = { [unowned panel] in panel.mode == .dryRun }
        panel.scheduler = scheduler
        var constants: [String: LuaValue] = [:]
        constants["null_mark"] = .string(LuaString(LuaJSON.nullMark))
        constants["default_concurrency"] = .integer(Int64(defaultConcurrency))
        constants["panel_name"] = .string(LuaString(panelName))
        constants["api_names"] = .table(LuaTable(array: catalogue.entries.map { .string(LuaString($0.function.rawValue)) }))
        // Every host function fails one way: it throws, and the trampoline raises the error
        // at the script's line (past the prelude's own frames); a task waiting for the panel
        // is resumed raising it.
        vm.hostChunk = Prelude.chunkName
        let api = catalogue.entries.map { entry in
            LuaHostFunction(entry.function.rawValue) { args in
                try scheduler.answer(args) {
                    try args.expectAtMost(entry.arguments.count)
                    return try entry.handler(APIEntry.Call(args: args, panel: panel))
                }
            }
        }
        let functions = api + UtilityModule.functions(output: output)
            + TasksModule.functions(scheduler: scheduler, allowed: defaultConcurrency, output: output) + [RequireModule.function(search: modules, loaded: loaded)]
        try vm.register(LuaModule(Prelude.hostTable, functions: functions, constants: constants))
        var argsTable = LuaTable()
        for (key, value) in arguments { argsTable[key] = .string(LuaString(value)) }
        try vm.setGlobal("args", .table(argsTable))
        let results = try vm.run(Prelude.source, chunkName: Prelude.chunkName)
        guard results.count == 2, case .function(let runMain) = results[0], case .function(let join) = results[1] else {
            throw LuaError(.runtime, "the script API's prelude did not return its runner")
        }
        return Installed(runMain: runMain, join: join, scheduler: scheduler, modules: loaded)
    }
}
