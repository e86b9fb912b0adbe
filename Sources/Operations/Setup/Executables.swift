import Foundation

/// The two executables Nightshift installs side by side, and how one finds the other.
///
/// - `nightshift` holds the script commands (`run`, `repl`, `check`, `types`): what every
///   run and every scheduled job starts, kept small so that it starts fast. It links no
///   HTTP server, no PostgreSQL client, no scheduler and no emulator.
/// - `nightshift-full` holds every command. `nightshift` hands it any other command by
///   replacing itself with it (same process, same arguments), and starts it as a child for
///   `--emulator` and for the copy of a run's records to the shared records.
///
/// docs/architecture.md, "Two executables", says why and what it measured.
public enum Executables {
    /// The lean executable's file name.
    public static let nightshift = "nightshift"
    /// The full executable's file name.
    public static let full = "nightshift-full"

    /// The commands `nightshift` runs itself; it hands every other one to `nightshift-full`.
    public static let scriptCommands: Set<String> = ["run", "repl", "check", "types"]

    /// The running executable: `/proc/self/exe`, else argv[0] made absolute.
    public static var current: String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        let argument = CommandLine.arguments[0]
        if argument.hasPrefix("/") || !argument.contains("/") { return argument }
        return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(argument)
    }

    /// The executable named `name` in the running executable's folder.
    public static func beside(_ name: String) -> String {
        URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// `nightshift-full` beside this executable, or a failure saying where it was looked for
    /// and what to do.
    public static func fullPath(for purpose: String) throws(CommandFailure) -> String {
        let path = beside(full)
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CommandFailure(
                .configuration,
                "\(purpose) needs \(full), which is not beside \(current) (looked for \(path)): install both executables in one folder (README, \"To install\")"
            )
        }
        return path
    }

    /// Whether `nightshift` hands these arguments (without the program name) to
    /// `nightshift-full`: every command but the script ones, and no command at all (help,
    /// `--version`).
    public static func handsOver(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return true }
        return !scriptCommands.contains(first)
    }

    /// Replaces this process with `nightshift-full`, keeping the arguments, the environment
    /// and every open descriptor (a key the scheduler handed over is still unread). Returns
    /// only if that failed, with what to say.
    public static func replaceWithFull(_ arguments: [String]) -> String {
        let path = beside(full)
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) }
        argv.append(nil)
        execv(path, argv)
        let reason = String(cString: strerror(errno))
        return "nightshift: \(arguments.first.map { "'\($0)'" } ?? "this command") is run by \(full), which could not be started from \(path): \(reason); install both executables in one folder (README, \"To install\")"
    }
}
