import LuaHost
import ScriptAPI

/// One task of a script: a coroutine the ``TaskScheduler`` runs.
final class ScriptTask {
    /// Where the task is.
    enum State {
        /// Waiting for its turn on the script's thread.
        case ready
        /// Running now (or waiting in place, in a call that cannot yield).
        case running
        /// Yielded: waiting for a panel answer, a sleep or another task.
        case waiting
        /// Its body returned or failed.
        case done
    }

    /// The id scripts see (`task 3`).
    let id: Int
    let coroutine: LuaCoroutine
    var state = State.ready
    /// What the host function the task waits in answers when it is resumed: the panel
    /// call's value, or its failure, raised at the script's line; nil for a wait that returns
    /// nothing (a sleep, another task).
    var resumption: Result<LuaValue, ScriptFailure>?
    /// Tasks waiting (yielded) for this one to finish.
    var waiters: [ScriptTask] = []

    init(id: Int, coroutine: LuaCoroutine) {
        self.id = id
        self.coroutine = coroutine
    }
}
