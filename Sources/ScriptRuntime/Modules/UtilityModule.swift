import Foundation
import LuaHost
import PanelAPI

/// The host side of `json.*`, `log.*` and `sleep`.
enum UtilityModule {
    static func functions(output: OutputSink) -> [LuaHostFunction] {
        [
            LuaHostFunction("json.encode") { args in
                ResellersModule.answer {
                    try args.expectAtMost(1)
                    do {
                        let json = try LuaJSON.json(try args.value(1))
                        return .success(.string(LuaString(bytes: JSONWriter.write(json))))
                    } catch let error as LuaJSON.Failure {
                        throw ResellersModule.BadArgument(1, args.functionName, error.description)
                    }
                }
            },
            LuaHostFunction("json.decode") { args in
                ResellersModule.answer {
                    try args.expectAtMost(1)
                    let bytes = try args.bytes(1)
                    do {
                        return .success(LuaJSON.lua(try JSONParser.parse(bytes)))
                    } catch {
                        throw ResellersModule.BadArgument(1, args.functionName, "invalid JSON: \(error)")
                    }
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

    /// `sleep(seconds)`: waits, but never past the current call's deadline (a run, or one
    /// REPL statement: the time limit then ends it at once), and wakes as soon as the run is
    /// interrupted (Ctrl-C, the process watchdog).
    static let sleep = LuaHostFunction("sleep") { args in
        try args.expectAtMost(1)
        let seconds = try args.number(1)
        guard seconds >= 0 else { throw args.error(1, "seconds must not be negative") }
        var until = ContinuousClock.now + .nanoseconds(Int64(min(seconds, 1e9) * 1e9))
        if let deadline = args.vm.callDeadline { until = min(until, deadline + .milliseconds(5)) }
        let interrupter = args.vm.interrupter
        while !interrupter.isRequested {
            let left = until - ContinuousClock.now
            if left <= .zero { break }
            let (s, atto) = min(left, .milliseconds(20)).components
            Thread.sleep(forTimeInterval: Double(s) + Double(atto) / 1e18)
        }
        return .none
    }
}
