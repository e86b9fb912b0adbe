import Foundation
import NightshiftCore
import Operations

/// The process's entry. A command other than the script ones goes to `nightshift-full` at
/// once, before anything is read (a key the scheduler handed over stays on its descriptor
/// for it); otherwise the handed-over key is taken (its descriptor closed) before anything
/// else runs or starts, then the command line is parsed and run.
@main
enum Entry {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if Executables.handsOver(arguments) {
            FileHandle.standardError.write(Data((Executables.replaceWithFull(arguments) + "\n").utf8))
            exit(RunExitCode.configuration.rawValue)
        }
        _ = KeyHandOver.key
        // A notification command that exits without reading its message, a reader of our
        // output that went away, a child that died: a write to a closed pipe fails with
        // EPIPE, which every writer handles, rather than killing the process. A handler, not
        // SIG_IGN: an ignored signal stays ignored in the programs we start, a handler does not.
        signal(SIGPIPE) { _ in }
        await Nightshift.main()
    }
}
