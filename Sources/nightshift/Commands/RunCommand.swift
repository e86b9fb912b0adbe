import ArgumentParser
import Foundation
import NightshiftCore
import Operations
import PanelAPI
import ScriptRuntime
import NightshiftConfig
import ScriptAPI

/// `nightshift run SCRIPT`: one run of one script against the panel, within its grant.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script against the panel, within a grant (reads only by default).",
        discussion: """
            Writes are guarded by the grant (--allow, --max-credits, --max-credits-per-reseller) and \
            recorded in the audit log before they are sent. --dry-run sends no write and prints the \
            plan; --confirm asks before each write. The run ends within --timeout plus one second, \
            whatever the script does, even when its output is not read (output that cannot be written \
            by then is dropped, and standard error says so). Past --max-output, output is dropped with \
            one line saying so and the run goes on. Exit codes: docs/exit-codes.md. Lua API: docs/scripting.md.
            """
    )

    @Argument(help: "The Lua script to run.")
    var script: String

    @Option(name: .customLong("arg"), help: ArgumentHelp("A script argument k=v, seen as args.k (repeatable).", valueName: "k=v"))
    var arguments: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Send no write: print the plan a live run would make.")
    var dryRun = false

    @Flag(help: "Show each write and send it only after you answer yes.")
    var confirm = false

    @OptionGroup var grantOptions: GrantOptions

    @Option(help: "Time limit for the whole run, e.g. 30s, 2m (default 30s or nightshift.toml).")
    var timeout: String?

    @Option(help: "Memory limit for the script, e.g. 64M (default 64M or nightshift.toml).")
    var memory: String?

    @Option(name: .customLong("max-output"), help: "Most output the run may print, e.g. 10M (default 10M or nightshift.toml [run] max_output).")
    var maxOutput: String?

    @OptionGroup var panelOptions: PanelOptions

    @OptionGroup var scriptOptions: ScriptOptions

    @Flag(help: "Print one JSON object describing the run instead of text.")
    var json = false

    @Flag(help: "Show log.debug lines too.")
    var verbose = false

    @Option(
        name: .customLong("result-file"),
        help: ArgumentHelp(
            "Also write how the run ended to this file, as one JSON object (the scheduler passes it to read its runs' outcomes).",
            valueName: "path"))
    var resultFile: String?

    @OptionGroup var state: StateOptions

    func validate() throws {
        if dryRun && confirm { throw ValidationError("--dry-run and --confirm cannot be combined") }
        for argument in arguments where !argument.contains("=") {
            throw ValidationError("--arg \(argument): write it as key=value")
        }
        if let timeout, Limits.duration(timeout) == nil { throw ValidationError("--timeout \(timeout): write it as 30s, 2m or 500ms") }
        if let memory, Limits.bytes(memory) == nil { throw ValidationError("--memory \(memory): write it as 64M, 512K or 1G") }
        if let maxOutput, Limits.bytes(maxOutput) == nil {
            throw ValidationError("--max-output \(maxOutput): write it as 10M, 512K or 1G")
        }
    }

    var mode: RunMode { dryRun ? .dryRun : confirm ? .confirm : .live }

    func run() async throws {
        let started = ContinuousClock.now
        do {
            let environment = Environment()
            let configuration = try environment.configuration(explicit: state.configPath)
            let request = ScriptProcess.Request(
                script: script, arguments: arguments.map(Self.split), mode: mode,
                timeout: timeout.flatMap(Limits.duration), memory: memory.flatMap(Limits.bytes),
                maxOutput: maxOutput.flatMap(Limits.bytes), maxTasks: scriptOptions.maxTasks,
                modulePaths: scriptOptions.modulePaths(configuration), json: json, verbose: verbose,
                resultFile: resultFile, stateDirectory: state.stateDirectory)
            let process = try await ScriptProcess(
                request, started: started, environment: environment, configuration: configuration,
                grant: try grantOptions.grant(configuration)
            ) { timeout, logger throws(RunCommandFailure) in
                try await panelOptions.connect(
                    environment: environment, configuration: configuration, timeout: timeout, logger: logger)
            }
            // Ctrl-C (or SIGTERM, as the scheduler sends) stops the script at its next check;
            // the run is recorded as interrupted, and a write in flight as outcome unknown.
            let interrupter = process.interrupter
            let stops = [SIGINT, SIGTERM].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { interrupter.interrupt() }
                source.resume()
                return source
            }
            defer { stops.forEach { $0.cancel() } }
            let code = await process.run { Foundation.exit($0) }
            if code != .ok { throw code.exit }
        } catch let failure as RunCommandFailure {
            if json {
                Output.out(RunReport.object([
                    "status": .string("not started"), "exit_code": .int(Int(failure.code.rawValue)),
                    "error": .string(failure.message),
                ]))
            }
            Output.error("nightshift run: \(failure.message)")
            throw failure.code.exit
        }
    }

    static func split(_ argument: String) -> (key: String, value: String) {
        let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }
}
