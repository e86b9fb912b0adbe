import ArgumentParser
import Foundation
import Logging
import LuaHost
import NightshiftCore
import PanelAPI
import ScriptRuntime

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
            let code = try await execute(started: started)
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

    private func execute(started: ContinuousClock.Instant) async throws(RunCommandFailure) -> NightshiftExitCode {
        let environment = Environment()
        let configuration = try environment.configuration(explicit: state.configPath)
        let timeLimit = timeout.flatMap(Limits.duration) ?? configuration.runTimeout ?? .seconds(30)
        let memoryLimit = memory.flatMap(Limits.bytes) ?? configuration.memory ?? 64 << 20
        let outputLimit = maxOutput.flatMap(Limits.bytes) ?? configuration.maxOutput ?? OutputSink.defaultMaxOutput
        let deadline = started + timeLimit
        let grant = try grantOptions.grant(notifyTargets: configuration.notifyTargets.map(\.name))
        // Deliveries never outlive the run.
        let notifier = Notifier(targets: configuration.notifyTargets, timeout: min(.seconds(10), timeLimit))

        guard let source = FileManager.default.contents(atPath: script) else {
            throw RunCommandFailure(.badScript, "cannot read the script \(script); check the path")
        }
        var logger = Logger(label: "nightshift.run")
        logger.logLevel = verbose ? .debug : .warning
        let stateDirectory = environment.stateDirectory(explicit: state.stateDirectory, configuration: configuration)
        let audit = try environment.auditLog(stateDirectory: stateDirectory)

        // Panel calls never outlive the run.
        let panelTimeout = min(configuration.panelTimeout ?? .seconds(30), timeLimit)
        let connection = try await panelOptions.connect(
            environment: environment, configuration: configuration, timeout: panelTimeout, logger: logger)

        let json = self.json
        let verbose = self.verbose
        // Written by threads of their own: a reader that does not keep up cannot hold the run
        // past its deadline.
        let output = ProcessOutput(deadline: deadline)
        let sink = OutputSink(maxOutput: outputLimit) { line in
            if line.stream == "print" {
                (json ? output.standardError : output.standardOutput).write(line.bytes, waitingUntil: deadline)
            } else if line.stream != "debug" || verbose {
                output.standardError.write(Array("[\(line.stream)] ".utf8) + line.bytes, waitingUntil: deadline)
            }
        }
        // The VM gets the whole limit (so its message names it); setup took milliseconds, and
        // the watchdog holds the process to `deadline` plus one second regardless.
        let run = ScriptRun(
            scriptPath: script, source: Array(source), arguments: arguments.map(Self.split), grant: grant, mode: mode,
            limits: LuaLimits(memory: memoryLimit, time: timeLimit), maxTasks: scriptOptions.maxTasks,
            modulePaths: scriptOptions.modulePaths(configuration))
        let runner: ScriptRunner
        do {
            runner = try ScriptRunner(
                run: run, client: connection.client, audit: audit, confirmer: mode == .confirm ? TerminalConfirmer { output.flush() } : nil,
                output: sink, logger: logger, notifier: notifier)
        } catch {
            await connection.shutdown()
            throw RunCommandFailure(.scriptFailed, "cannot create the Lua VM: \(error.message)")
        }
        if !json {
            output.error("run \(runner.identity.runID): \(script) [\(mode.rawValue)] on \(connection.label); \(grant)")
        }

        let runID = runner.identity.runID
        // The VM's own words for its time limit, so the terminal and the run record agree.
        let limitText = LuaLimit.time(timeLimit).description
        let watchdog = ProcessWatchdog(deadline: deadline, interrupter: runner.interrupter) {
            // The VM is stuck in a C call: record and leave without waiting for it.
            let message = "\(limitText); the script was stuck inside a library call and the process was ended"
            _ = try? audit.finishRun(
                id: runID, endedAt: Timestamp.iso(Date()), status: RunStatus.timedOut.rawValue, output: sink.text,
                error: message)
            if let resultFile {
                var receipt = RunReceipt(runID: runID, status: .timedOut, exitCode: NightshiftExitCode.limit.rawValue, error: message)
                // The stuck VM's counts cannot be read from here: writes may have been sent.
                receipt.retryable = false
                try? receipt.write(to: resultFile)
            }
            if json {
                output.out(RunReport.object([
                    "run_id": .string(runID), "status": .string(RunStatus.timedOut.rawValue),
                    "exit_code": .int(Int(NightshiftExitCode.limit.rawValue)), "error": .string(message),
                ]))
            }
            output.error("nightshift run: run \(runID) stopped: \(message)")
            output.finish(until: deadline + .milliseconds(980))
            Foundation.exit(NightshiftExitCode.limit.rawValue)
        }
        watchdog.start()
        // Ctrl-C (or SIGTERM, as the scheduler sends) stops the script at its next check; the
        // run is recorded as interrupted, and a write in flight as outcome unknown.
        let interrupter = runner.interrupter
        let stops = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { interrupter.interrupt() }
            source.resume()
            return source
        }
        defer { stops.forEach { $0.cancel() } }
        var result = await ScriptThread.run { runner.execute() }
        watchdog.finish()
        await connection.shutdown()
        if result.status == .timedOut { result.error = limitText }
        if result.status == .interrupted { result.error = "interrupted (Ctrl-C or SIGTERM)" }

        let code = NightshiftExitCode(result.status)
        if let resultFile {
            let receipt = RunReceipt(
                runID: result.runID, status: result.status, exitCode: code.rawValue, error: result.error,
                errorKind: result.errorKind, writesSent: result.writesSent, creditsMoved: result.creditsMoved,
                notificationsSent: result.notificationsSent)
            do { try receipt.write(to: resultFile) } catch {
                output.error("nightshift run: --result-file: \(error); the run itself is recorded in the audit log")
            }
        }
        defer { output.finish(until: deadline + .milliseconds(950)) }
        if json {
            output.out(RunReport.json(result, mode: mode, scriptPath: script, exitCode: code.rawValue))
            return code
        }
        if mode == .dryRun { output.out(RunReport.planText(result.plan)) }
        if let error = result.error {
            output.error("nightshift run: \(result.status.rawValue): \(error)")
        }
        output.error(RunReport.summary(result, mode: mode, scriptPath: script))
        if result.status == .outcomeUnknown {
            output.error("a write may or may not have been applied: look at the reseller in the panel before running again (nightshift audit --run \(result.runID))")
        }
        return code
    }

    static func split(_ argument: String) -> (key: String, value: String) {
        let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }
}
