import Foundation

/// The users file as it is now: read again whenever it changes on disk, so `add-user` (a new
/// password, another role) takes effect without a restart, and a removed user's sessions
/// stop working at their next request.
public actor UserDirectory {
    private let path: String
    private var users: [ConsoleUser]
    private var stamp: FileStamp?
    /// The users as the file was first read.
    public nonisolated let initial: [ConsoleUser]

    /// Reads the file at `path` (a missing file has no users).
    public init(path: String) throws(ConsoleUsers.Failure) {
        self.path = path
        initial = try ConsoleUsers.load(path: path)
        users = initial
        stamp = FileStamp(path: path)
    }

    /// The users; when the file changed and no longer reads, the last good list.
    public func current() -> [ConsoleUser] {
        let now = FileStamp(path: path)
        if now != stamp, let fresh = try? ConsoleUsers.load(path: path) {
            users = fresh
            stamp = now
        }
        return users
    }

    /// The user named `name`, as the file says now.
    public func user(_ name: String) -> ConsoleUser? {
        current().first { $0.name == name }
    }

    /// What identifies a version of the file: its inode, size and modification time.
    struct FileStamp: Equatable {
        var inode: UInt64
        var size: Int64
        var modified: Int
        var modifiedNanoseconds: Int

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = info.st_mtim.tv_sec
            modifiedNanoseconds = info.st_mtim.tv_nsec
        }
    }
}
