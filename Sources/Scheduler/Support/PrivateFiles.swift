import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Folders and files the scheduler creates hold reseller data and panel answers: folders
/// are made 0700 and files 0600, whatever the umask. Ones that exist are left as they are.
enum PrivateFiles {
    /// Creates `directory` and its missing parents, each 0700.
    static func createDirectory(_ directory: String) throws {
        var missing: [String] = []
        var current = directory
        while !current.isEmpty, current != "/", current != ".", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            } catch {
                // Another daemon or run may have made it meanwhile.
                guard FileManager.default.fileExists(atPath: folder) else { throw error }
                continue
            }
            chmod(folder, 0o700)
        }
    }

    /// Creates an empty file 0600 unless it exists, so that a library opening it later
    /// (SQLite) never creates it with wider permissions.
    static func createFile(_ path: String) {
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
    }
}
