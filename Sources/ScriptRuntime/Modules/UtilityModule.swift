import Foundation
import LuaHost
import PanelAPI
import ScriptAPI

/// The host side of `json.*` and `log.*`.
enum UtilityModule {
    static func functions(output: OutputSink) -> [LuaHostFunction] {
        [
            LuaHostFunction("json.encode") { args in
                try args.expectAtMost(1)
                do {
                    let json = try LuaJSON.json(try args.value(1))
                    return .one(.string(LuaString(bytes: JSONWriter.write(json))))
                } catch let error as LuaJSON.Failure {
                    throw BadArgument(1, args.functionName, error.description)
                }
            },
            LuaHostFunction("json.decode") { args in
                try args.expectAtMost(1)
                let bytes = try args.bytes(1)
                do {
                    return .one(LuaJSON.lua(try JSONParser.parse(bytes)))
                } catch {
                    throw BadArgument(1, args.functionName, "invalid JSON: \(error)")
                }
            },
            LuaHostFunction("log.log") { args in
                let level = try args.string(1)
                var line = try args.bytes(2)
                line.append(0x0A)
                output.write(stream: level, line)
                return .none
            },
        ]
    }
}
