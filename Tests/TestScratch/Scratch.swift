import Foundation

/// Throwaway files and folders for tests, all under one folder per test process
/// (`$TMPDIR/nightshift-tests-PID`). That folder is removed when the process exits, whether
/// its tests passed or failed; one left by a test process that was killed is removed by the
/// next test process to start.
public enum Scratch {
    /// A new, empty folder named `PREFIX-UUID`.
    public static func folder(_ prefix: String) throws -> String {
        let path = path(prefix)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A new path named `PREFIX-UUID`, not created: for a program that makes its own file or
    /// folder there (an audit log, a state folder). Its parent exists.
    public static func path(_ prefix: String) -> String {
        "\(root)/\(prefix)-\(UUID().uuidString)"
    }

    private static let base = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
    private static let prefix = "nightshift-tests-"

    /// Made on first use, with the exit handler that removes it.
    private static let root: String = {
        removeLeftovers()
        let root = base + prefix + String(getpid())
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.base + Scratch.prefix + String(getpid())) }
        return root
    }()

    /// Removes the folders of test processes that are gone (killed before their exit handler).
    private static func removeLeftovers() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: base + name)
            }
        }
    }
}
