import NightshiftCore

/// The process's entry: a key the scheduler handed over is taken (its descriptor closed)
/// before anything else runs or starts, then the command line is parsed and run.
@main
enum Entry {
    static func main() async {
        _ = KeyHandOver.key
        await Nightshift.main()
    }
}
