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
        await Nightshift.main()
    }
}
