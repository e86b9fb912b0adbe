import Foundation
import NightshiftCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts each run as a real child process with `posix_spawn`: its own process group (so a
/// deadline kills everything it started), standard input from `/dev/null`, output and
/// errors appended to the run's log file (created 0600, in folders created 0700).
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
        try? PrivateFiles.createDirectory(directory)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, request.logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
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
        return ChildProcess(pid: pid, identity: ProcessIdentity.of(pid).map { String($0.startTime) })
    }
}
