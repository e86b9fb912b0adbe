#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock held on a file while some work runs, so that processes opening the same
/// SQLite file do not race. Used around schema migrations: GRDB's migrator reads which
/// migrations are applied before it takes SQLite's write lock, so two processes opening a new
/// file at once (a daemon and `nightshift jobs trigger`, two runs sharing a state folder) could
/// both apply the first one ("duplicate column name").
///
/// The lock is `flock(2)` on the file itself: on Linux it does not touch the `fcntl` locks
/// SQLite takes on the same file, and it goes when the process does.
public enum FileLock {
    /// Runs `body` while holding an exclusive `flock` on `path` (which must exist), waiting
    /// for another holder to finish. If the file cannot be opened or locked, `body` runs anyway
    /// (a file system without locks is no reason to refuse to work).
    public static func exclusively<T>(_ path: String, _ body: () throws -> T) rethrows -> T {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return try body() }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
