/// What the daemon asks a launcher to start: one run of one job.
public struct RunRequest: Sendable {
    /// The job's name.
    public var job: String
    /// The slot (seconds since the epoch) the run is for.
    public var slot: Int64
    /// Program and arguments.
    public var commandLine: [String]
    /// Where the child's standard output and error go.
    public var logPath: String
    /// Variables added to the child's environment (`NIGHTSHIFT_JOB`, `NIGHTSHIFT_SLOT`).
    public var environment: [String: String]

    /// Creates a request.
    public init(job: String, slot: Int64, commandLine: [String], logPath: String, environment: [String: String]) {
        self.job = job
        self.slot = slot
        self.commandLine = commandLine
        self.logPath = logPath
        self.environment = environment
    }
}

/// How a child ended.
public enum ChildExit: Sendable, Equatable {
    /// It exited with this status.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)
    /// It ended while it was not this daemon's child (it outlived an earlier daemon and was
    /// adopted): whoever reaped it got its status, so only its receipt can tell.
    case vanished
}

/// A started child that the daemon polls on each tick and kills at its deadline.
public protocol RunningChild: AnyObject, Sendable {
    /// The child's process id.
    var pid: Int32 { get }
    /// An identity of the process beyond its pid (start time), so a later daemon can tell
    /// an orphaned child from an unrelated process that reuses the pid.
    var identity: String? { get }
    /// How it ended, or nil while it runs. Does not block.
    func poll() -> ChildExit?
    /// Sends a signal to the child and everything it started.
    func kill(signal: Int32)
}

/// Starts runs as child processes. The daemon takes one, so tests can start any real
/// program (e.g. `/bin/sh -c 'sleep 100'`) in place of `nightshift run`.
public protocol RunLauncher: Sendable {
    /// Starts the child.
    /// - Throws: when it cannot be started; the run is recorded as `launch-failed`.
    func launch(_ request: RunRequest) throws -> any RunningChild
}
