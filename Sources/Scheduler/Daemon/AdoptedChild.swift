import Foundation
import NightshiftCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A run's child that an earlier daemon of this host started and that outlived it: the
/// restarted daemon watches it by pid and start time (it is no longer our child, so
/// `waitpid` cannot reap it) and learns how it ended from its result file.
final class AdoptedChild: RunningChild, @unchecked Sendable {
    let pid: Int32
    let identity: String?
    private let lock = NSLock()
    private var gone = false  // guarded by lock; once gone the pid may be reused, so no more kills

    init(pid: Int32, identity: String) {
        self.pid = pid
        self.identity = identity
    }

    /// `.vanished` once the process is gone: its exit status went to whoever reaped it
    /// (init), so its receipt is the only account of how it ended.
    func poll() -> ChildExit? {
        lock.lock()
        defer { lock.unlock() }
        if gone { return .vanished }
        guard !ProcessIdentity.isRunning(pid: pid, identity: identity) else { return nil }
        gone = true
        return .vanished
    }

    func kill(signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        guard !gone, ProcessIdentity.isRunning(pid: pid, identity: identity) else { return }
        _ = Glibc.kill(-pid, signal)
    }
}
