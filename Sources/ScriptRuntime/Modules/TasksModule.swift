import LuaHost

/// The host side of `tasks.*` (and `sleep`): each function hands over to the run's
/// ``TaskScheduler``; the prelude builds the script-facing `tasks` table on top of them.
enum TasksModule {
    static func functions(scheduler: TaskScheduler) -> [LuaHostFunction] {
        [
            LuaHostFunction("tasks.spawn") { args in try scheduler.spawn(args) },
            LuaHostFunction("tasks.wait") { args in try scheduler.wait(args) },
            LuaHostFunction("tasks.sleep") { args in try scheduler.sleep(args) },
            LuaHostFunction("tasks.join") { args in try scheduler.join(args) },
        ]
    }
}
