import ArgumentParser
import Operations
import OperationsFull
import ScriptCommands

/// `--json`, `--local`, `--config` and `--state`: how `runs` and `audit` find their records
/// (this host's audit.sqlite, or every host's in the shared database) and print them.
struct RecordsOptions: ParsableArguments {
    @Flag(help: "Print JSON (an array of objects).")
    var json = false

    @Flag(help: "Only this host's records, from its audit.sqlite, even when records are shared.")
    var local = false

    @OptionGroup var state: StateOptions

    /// Reads rows with `body`; a failure is printed as `nightshift COMMAND: message` and exits
    /// with its code.
    func read<T>(command: String, _ body: (RecordsSource) async throws -> T) async throws -> (rows: T, showsHosts: Bool) {
        do {
            return try await RecordsSource.read(
                configPath: state.configPath, stateDirectory: state.stateDirectory, local: local, command: command, body)
        } catch let failure as CommandFailure {
            Output.error("nightshift \(command): \(failure.message)")
            throw failure.code.exit
        }
    }
}
