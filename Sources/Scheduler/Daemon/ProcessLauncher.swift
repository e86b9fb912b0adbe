import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts each run as a real child process with `posix_spawn`: its own process group (so a
/// deadline kills everything it started), standard input from `/dev/null`, output and
/// errors appended to the run's log file.
public struct ProcessLauncher: RunLauncher {
    /// Creates a launcher.
    public init() {}

    /// Why a child could not be started.
    public struct LaunchError: Error, CustomStringConvertible {
        /// The message, naming the program and the system's reason.
        public var description: String
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    // glibc 2.34+ has it, but its header hides it from Swift's Glibc module: look it up.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    public func launch(_ request: RunRequest) throws -> any RunningChild {
        guard let program = request.commandLine.first else {
            throw LaunchError(description: "empty command line")
        }
        let directory = (request.logPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, request.logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The child must not hold the daemon's descriptors (the state database, other runs'
        // logs): an orphan would keep them open after a crash.
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // The daemon may block or ignore signals; the child starts with defaults.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var environment = ProcessInfo.processInfo.environment
        for (key, value) in request.environment { environment[key] = value }
        let argv = request.commandLine.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw LaunchError(description: "cannot start '\(program)': \(String(cString: strerror(result)))")
        }
        return ChildProcess(pid: pid, identity: ProcessIdentity.startTime(of: pid))
    }
}

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

/// Reads a process's start time from `/proc`, which with the pid identifies it uniquely.
public enum ProcessIdentity {
    /// The start time (clock ticks after boot) of a live process, or nil if it is gone.
    public static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name, which may itself contain spaces and parentheses.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Field 22 of the whole line is the 20th after "pid (comm)".
        return fields.count > 19 ? String(fields[19]) : nil
    }

    /// Kills an orphaned child's process group if the process is still the one recorded.
    /// Returns whether it was still running.
    @discardableResult
    public static func killIfSame(pid: Int32, identity: String?) -> Bool {
        guard let identity, startTime(of: pid) == identity else { return false }
        _ = Glibc.kill(-pid, SIGKILL)
        _ = Glibc.kill(pid, SIGKILL)
        return true
    }
}
