import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child started by `ProcessLauncher`, reaped with `waitpid` when polled.
final class ChildProcess: RunningChild, @unchecked Sendable {
    let pid: Int32
    let identity: String?
    private let lock = NSLock()
    private var exit: ChildExit?  // guarded by lock; once set the pid may be reused, so no more kills

    init(pid: Int32, identity: String?) {
        self.pid = pid
        self.identity = identity
    }

    func poll() -> ChildExit? {
        lock.lock()
        defer { lock.unlock() }
        if let exit { return exit }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        let signal = status & 0x7f
        exit = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        return exit
    }

    func kill(signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        guard exit == nil else { return }
        _ = Glibc.kill(-pid, signal)
    }
}
