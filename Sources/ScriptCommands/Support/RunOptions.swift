import ArgumentParser
import Foundation
import NightshiftConfig
import NightshiftCore
import Operations
import ScriptAPI
import ScriptRuntime

/// What `run` and `plan` share: the script, its arguments, the grant, the limits, the panel,
/// modules, state, and the process that runs it with Ctrl-C and SIGTERM wired to stop it.
public struct RunOptions: ParsableArguments {
    public init() {}

    @Argument(help: "The Lua script to run.")
    public var script: String

    @Option(name: .customLong("arg"), help: ArgumentHelp("A script argument k=v, seen as args.k (repeatable).", valueName: "k=v"))
    public var arguments: [String] = []

    @OptionGroup public var grantOptions: GrantOptions

    @Option(help: "Time limit for the whole run, e.g. 30s, 2m (default 30s or nightshift.toml).")
    public var timeout: String?

    @Option(help: "Memory limit for the script, e.g. 64M (default 64M or nightshift.toml).")
    public var memory: String?

    @Option(name: .customLong("max-output"), help: "Most output the run may print, e.g. 10M (default 10M or nightshift.toml [run] max_output).")
    public var maxOutput: String?

    @OptionGroup public var panelOptions: PanelOptions

    @OptionGroup public var scriptOptions: ScriptOptions

    @Flag(help: "Show log.debug lines too.")
    public var verbose = false

    @OptionGroup public var state: StateOptions

    public func validate() throws {
        for argument in arguments where !argument.contains("=") {
            throw ValidationError("--arg \(argument): write it as key=value")
        }
        if let timeout, Limits.duration(timeout) == nil { throw ValidationError("--timeout \(timeout): write it as 30s, 2m or 500ms") }
        if let memory, Limits.bytes(memory) == nil { throw ValidationError("--memory \(memory): write it as 64M, 512K or 1G") }
        if let maxOutput, Limits.bytes(maxOutput) == nil {
            throw ValidationError("--max-output \(maxOutput): write it as 10M, 512K or 1G")
        }
    }

    /// Runs the script in `mode` as this process and returns its exit code; a failure before
    /// it starts is thrown.
    /// - Parameter afterRun: see ``ScriptProcess/Request/afterRun``.
    public func execute(
        mode: RunMode, json: Bool, resultFile: String?,
        afterRun: (@Sendable (RunResult, ScriptProcess.Context, _ say: (String) -> Void) -> RunExitCode?)? = nil
    ) async throws(CommandFailure) -> RunExitCode {
        let started = ContinuousClock.now
        let environment = Environment()
        let configuration = try environment.configuration(explicit: state.configPath)
        var request = self.request(mode: mode, json: json, resultFile: resultFile, configuration: configuration)
        request.afterRun = afterRun
        let panelOptions = self.panelOptions
        let process = try await ScriptProcess(
            request, started: started, environment: environment, configuration: configuration,
            grant: try grantOptions.grant(configuration)
        ) { limit, logger throws(CommandFailure) in
            try await panelOptions.connect(
                environment: environment, configuration: configuration, within: limit, logger: logger)
        }
        let interrupter = process.interrupter
        let stops = Self.stopOnSignals { interrupter.interrupt() }
        defer { stops.forEach { $0.cancel() } }
        return await process.run { Foundation.exit($0) }
    }

    /// Runs the script once per panel of `fleet`, all at once, as this process; returns the
    /// fleet's exit code (docs/exit-codes.md).
    public func executeFleet(
        _ fleet: FleetOptions, mode: RunMode, json: Bool, resultFile: String?,
        afterFleet: (@Sendable ([FleetMemberRun], _ say: (String) -> Void) -> RunExitCode?)? = nil
    ) async throws(CommandFailure) -> RunExitCode {
        let started = ContinuousClock.now
        let environment = Environment()
        let configuration = try environment.configuration(explicit: state.configPath)
        let panels: [PanelDefinition]
        do {
            panels = try configuration.fleet(fleet.panels ?? PanelDefinition.allName)
        } catch {
            throw CommandFailure(.configuration, error.description)
        }
        var grant = try grantOptions.grant(configuration)
        if grantOptions.maxCredits == nil, let total = fleet.maxCreditsTotal { grant.maxCredits = total }
        let panelOptions = self.panelOptions
        var request = self.request(mode: mode, json: json, resultFile: resultFile, configuration: configuration)
        request.afterFleet = afterFleet
        let process = try await FleetProcess(
            request, panels: panels,
            maxCreditsTotal: fleet.maxCreditsTotal, started: started, environment: environment,
            configuration: configuration, grant: grant, politeness: panelOptions.politeness)
        let stops = Self.stopOnSignals { process.interrupt() }
        defer { stops.forEach { $0.cancel() } }
        return await process.run { Foundation.exit($0) }
    }

    /// What the flags ask for.
    private func request(mode: RunMode, json: Bool, resultFile: String?, configuration: NightshiftConfiguration) -> ScriptProcess.Request {
        ScriptProcess.Request(
            script: script, arguments: arguments.map(Self.split), mode: mode,
            timeout: timeout.flatMap(Limits.duration), memory: memory.flatMap(Limits.bytes),
            maxOutput: maxOutput.flatMap(Limits.bytes), maxTasks: scriptOptions.maxTasks,
            modulePaths: scriptOptions.modulePaths(configuration), json: json, verbose: verbose,
            resultFile: resultFile, stateDirectory: state.stateDirectory)
    }

    /// Ctrl-C (or SIGTERM, as the scheduler sends) stops the script at its next check; the
    /// run is recorded as interrupted, and a write in flight as outcome unknown. Keep the
    /// sources until the run ends.
    public static func stopOnSignals(_ interrupt: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { interrupt() }
            source.resume()
            return source
        }
    }

    public static func split(_ argument: String) -> (key: String, value: String) {
        let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }
}
