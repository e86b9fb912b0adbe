import Foundation

/// The one place a script's thread is made: a plain `Thread` with a stack deep enough for
/// Lua's C recursion limits, where host functions may block while they wait for the panel
/// (never a Swift-concurrency thread).
public enum ScriptThread {
    /// The stack a script's thread gets: Lua's 200 nested C calls, each with its Swift frames.
    public static let stackSize = 16 << 20

    /// Runs `body` on a new script thread named `name` and returns its result.
    public static func run<T: Sendable>(name: String = "nightshift script", _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = stackSize
            thread.name = name
            thread.start()
        }
    }
}
