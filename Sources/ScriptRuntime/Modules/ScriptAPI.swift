import Foundation
import LuaHost

/// Installs the whole script API in a VM: `resellers.*`, `panel.call`, `log.*`, `json.*`,
/// `args`, `sleep`, over one guarded panel. Shared by `nightshift run` and the REPL.
enum ScriptAPI {
    static func install(
        into vm: LuaVM, panel: GuardedPanel, output: OutputSink, arguments: [(key: String, value: String)]
    ) throws(LuaError) {
        var constants: [String: LuaValue] = [:]
        constants["null_mark"] = .string(LuaString(LuaJSON.nullMark))
        let functions = ResellersModule.functions(panel: panel) + UtilityModule.functions(output: output)
        try vm.register(LuaModule(Prelude.hostTable, functions: functions, constants: constants))
        var argsTable = LuaTable()
        for (key, value) in arguments { argsTable[key] = .string(LuaString(value)) }
        try vm.setGlobal("args", .table(argsTable))
        vm.register(UtilityModule.sleep, as: "sleep")
        _ = try vm.run(Prelude.source, chunkName: "nightshift")
    }
}
