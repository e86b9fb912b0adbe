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
///
/// No child gets `NIGHTSHIFT_API_KEY` in its environment, where every process it starts
/// would inherit it and anyone allowed to read its `/proc/PID/environ` could: a key handed
/// to the launcher reaches each child on a pipe instead, as file descriptor 3, named by
/// ``keyDescriptorVariable``; the child reads it at start and closes it.
public struct ProcessLauncher: RunLauncher {
    /// The key each child is handed on a pipe, if any.
    private let key: [UInt8]?

    /// The variable that names the descriptor holding the handed-over key (`3`).
    public static let keyDescriptorVariable = KeyHandOver.variable
    /// The descriptor the key is handed over on.
    static let keyDescriptor: Int32 = 3
    /// The longest key that can be handed over: what a pipe holds without a reader.
    public static let keyLimit = KeyHandOver.limit

    /// Creates a launcher.
    /// - Parameter key: handed to every child on a pipe (at most ``keyLimit`` bytes); nil: none.
    public init(handingOver key: String? = nil) {
        self.key = key.map { Array($0.utf8.prefix(Self.keyLimit)) }
    }

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
        // The daemon's own environment without a key; only what the request adds on purpose
        // (tests starting a daemon with one) is passed as given.
        var environment = ProcessInfo.processInfo.environment
        environment["NIGHTSHIFT_API_KEY"] = nil
        environment[Self.keyDescriptorVariable] = nil
        for (key, value) in request.environment { environment[key] = value }
        // The key's pipe: written whole now (it fits in the pipe's buffer), its reading end
        // the child's descriptor 3. Both ends close-on-exec here, so no other child gets them.
        var keyPipe: [Int32] = [-1, -1]
        defer { for end in keyPipe where end >= 0 { close(end) } }
        if let key {
            guard pipe(&keyPipe) == 0, fcntl(keyPipe[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(keyPipe[1], F_SETFD, FD_CLOEXEC) == 0
            else {
                throw LaunchError(description: "cannot make a pipe for the API key: \(String(cString: strerror(errno)))")
            }
            let written = key.withUnsafeBytes { write(keyPipe[1], $0.baseAddress, $0.count) }
            guard written == key.count else {
                throw LaunchError(description: "cannot hand the API key over: \(String(cString: strerror(errno)))")
            }
            close(keyPipe[1])
            keyPipe[1] = -1
            if keyPipe[0] == Self.keyDescriptor {
                // dup2 onto itself would leave it close-on-exec: move it out of the way first.
                let moved = fcntl(keyPipe[0], F_DUPFD_CLOEXEC, Self.keyDescriptor + 1)
                close(keyPipe[0])
                keyPipe[0] = moved
            }
            posix_spawn_file_actions_adddup2(&actions, keyPipe[0], Self.keyDescriptor)
            environment[Self.keyDescriptorVariable] = String(Self.keyDescriptor)
        }
        // The child must not hold the daemon's descriptors (the state database, other runs'
        // logs): an orphan would keep them open after a crash.
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, key == nil ? 3 : 4) }

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
