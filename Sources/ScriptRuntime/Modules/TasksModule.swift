import Foundation
import LuaHost

/// The host side of `tasks.*` (and `sleep`): each function hands over to the run's
/// ``TaskScheduler``; the prelude builds the script-facing `tasks` table on top of them.
enum TasksModule {
    /// - Parameters:
    ///   - allowed: requests the run keeps at the panel at once (`--concurrency`).
    ///   - output: where the one notice about a larger `tasks.map` concurrency goes.
    static func functions(scheduler: TaskScheduler, allowed: Int, output: OutputSink) -> [LuaHostFunction] {
        let noticed = NoticeOnce()
        return [
            LuaHostFunction("tasks.spawn") { args in try scheduler.spawn(args) },
            LuaHostFunction("tasks.wait") { args in try scheduler.wait(args) },
            LuaHostFunction("tasks.sleep") { args in try scheduler.sleep(args) },
            LuaHostFunction("tasks.join") { args in try scheduler.join(args) },
            // The prelude calls this when `tasks.map` asks for more items in progress than the
            // run keeps requests at the panel: the politeness cap holds, and the user is told
            // once per run (standard error and the run record), not left to wonder.
            LuaHostFunction("tasks.capped") { args in
                let asked = try args.integer(1)
                if noticed.first() {
                    output.write(
                        stream: "warn",
                        Array(
                            "tasks.map asked for \(asked) at a time; this run allows \(allowed) (--concurrency, [panel] concurrency)\n"
                                .utf8))
                }
                return .none
            },
        ]
    }
}

/// True the first time only; safe from any thread.
final class NoticeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func first() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }
}
