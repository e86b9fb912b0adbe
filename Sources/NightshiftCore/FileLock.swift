#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock, held while some work runs, on the folder of a SQLite file, so that
/// processes opening the same file do not race. Used around schema migrations: GRDB's
/// migrator reads which migrations are applied before it takes SQLite's write lock, so two
/// processes opening a new file at once (a daemon and `nightshift jobs trigger`, two runs
/// sharing a state folder) could both apply the first one ("duplicate column name").
///
/// The lock is `flock(2)` on the folder, never on the database file: closing any descriptor
/// of a file drops every `fcntl` lock the process holds on it, SQLite's own among them, and a
/// connection that lost its locks can have its WAL deleted under it by another process.
public enum FileLock {
    /// Runs `body` while holding an exclusive `flock` on the folder that holds `path`,
    /// waiting for another holder to finish. If the folder cannot be opened or locked, `body`
    /// runs anyway (a file system without locks is no reason to refuse to work).
    public static func exclusively<T>(folderOf path: String, _ body: () throws -> T) rethrows -> T {
        var folder = path
        if let slash = folder.lastIndex(of: "/") {
            folder = slash == folder.startIndex ? "/" : String(folder[..<slash])
        } else {
            folder = "."
        }
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return try body() }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
