import Foundation
import NightshiftCore

/// The process's entry: a key the scheduler handed over is taken (its descriptor closed)
/// before anything else runs or starts, then the command line is parsed and run.
@main
enum Entry {
    static func main() async {
        _ = KeyHandOver.key
        // A notification command that exits without reading its message, a reader of our
        // output that went away, a child that died: a write to a closed pipe fails with
        // EPIPE, which every writer handles, rather than killing the process. A handler, not
        // SIG_IGN: an ignored signal stays ignored in the programs we start, a handler does not.
        signal(SIGPIPE) { _ in }
        await Nightshift.main()
    }
}
