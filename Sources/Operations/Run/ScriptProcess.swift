import Foundation
import LuaHost
import Logging
import NightshiftCore
import PanelAPI
import ScriptRuntime
import NightshiftConfig
import RunRecords
import ScriptAPI

/// One run of one script as the `nightshift run` process: its output written by threads of
/// their own, a watchdog that holds it to its deadline plus one second, the report on the
/// terminal or as JSON, and the receipt for the scheduler.
///
/// Two steps, so the executable can wire signals in between: ``prepare(_:environment:)``
/// checks everything that can fail before the script starts (configuration, script,
/// audit log, panel, VM); ``run(exit:)`` runs it and returns the exit code.
public final class ScriptProcess: Sendable {
    /// What the command line asked for, parsed.
    public struct Request: Sendable {
        /// The script's path.
        public var script: String
        /// `--arg k=v`, in order.
        public var arguments: [(key: String, value: String)]
        /// live, dry-run or confirm.
        public var mode: RunMode
        /// `--timeout`, `--memory`, `--max-output`; nil takes nightshift.toml's, then the default.
        public var timeout: Duration?
        /// See ``timeout``.
        public var memory: Int?
        /// See ``timeout``.
        public var maxOutput: Int?
        /// `--max-tasks`.
        public var maxTasks: Int
        /// The module folders: `--module-path`, then nightshift.toml's.
        public var modulePaths: [String]
        /// `--json`.
        public var json: Bool
        /// `--verbose`.
        public var verbose: Bool
        /// `--result-file`.
        public var resultFile: String?
        /// `--state`.
        public var stateDirectory: String?
        /// Called with the result once the run is reported (`nightshift plan` writes its plan
        /// file here), with what the run ran with and a way to write lines to standard error
        /// after the report; a code it returns replaces the run's.
        public var afterRun: (@Sendable (RunResult, Context, _ say: (String) -> Void) -> RunExitCode?)?
        /// For a fleet run (``FleetProcess``), as ``afterRun``: called once every panel's run
        /// is reported, with each panel's name, result and what it ran with.
        public var afterFleet: (@Sendable ([FleetMemberRun], _ say: (String) -> Void) -> RunExitCode?)?

        /// Creates a request.
        public init(
            script: String, arguments: [(key: String, value: String)], mode: RunMode, timeout: Duration?, memory: Int?,
            maxOutput: Int?, maxTasks: Int, modulePaths: [String], json: Bool, verbose: Bool, resultFile: String?,
            stateDirectory: String?
        ) {
            self.script = script
            self.arguments = arguments
            self.mode = mode
            self.timeout = timeout
            self.memory = memory
            self.maxOutput = maxOutput
            self.maxTasks = maxTasks
            self.modulePaths = modulePaths
            self.json = json
            self.verbose = verbose
            self.resultFile = resultFile
            self.stateDirectory = stateDirectory
        }
    }

    /// Stops the script at its next check: Ctrl-C and SIGTERM call ``LuaInterrupter/interrupt()``.
    public let interrupter: LuaInterrupter

    /// What a run ran with, as a plan records it.
    public struct Context: Sendable {
        /// The panel's URL, as the connection names it.
        public var panelURL: String
        /// The API key (to fingerprint: never printed).
        public var apiKey: APIKey
        /// The script's path.
        public var scriptPath: String
        /// SHA-256 of the script's bytes, hex.
        public var scriptSHA256: String
        /// `--arg` pairs.
        public var arguments: [(key: String, value: String)]
        /// The grant.
        public var grant: Grant
    }

    private let context: Context
    /// The run's id.
    public let runID: String

    private let request: Request
    private let runner: ScriptRunner
    private let preparation: RunPreparation
    private let connection: PanelConnection
    private let output: ProcessOutput
    private let sink: OutputSink
    private var audit: AuditLog { preparation.audit }
    private var deadline: ContinuousClock.Instant { preparation.deadline }
    private var timeLimit: Duration { preparation.timeLimit }

    /// Everything that can fail before the script starts.
    /// - Parameters:
    ///   - started: when the command started: the deadline counts from it.
    ///   - configuration: nightshift.toml, loaded.
    ///   - grant: what the script may do.
    ///   - connect: opens the panel the flags name; no call may take longer than the run's
    ///     time limit it is given.
    public init(
        _ request: Request, started: ContinuousClock.Instant, environment: Environment,
        configuration: NightshiftConfiguration, grant: Grant,
        connect: (_ limit: Duration, _ logger: Logger) async throws(CommandFailure) -> PanelConnection
    ) async throws(CommandFailure) {
        let preparation = try RunPreparation(
            request, started: started, environment: environment, configuration: configuration)
        // Panel calls never outlive the run.
        let connection = try await connect(preparation.timeLimit, preparation.logger)
        // Written by threads of their own: a reader that does not keep up cannot hold the run
        // past its deadline.
        let output = ProcessOutput(deadline: preparation.deadline)
        let sink = preparation.sink(output)
        do {
            runner = try ScriptRunner(
                run: preparation.scriptRun(grant: grant, configuration: configuration, panel: connection.name),
                client: connection.client, audit: preparation.audit,
                confirmer: request.mode == .confirm ? TerminalConfirmer { output.flush() } : nil, output: sink,
                logger: preparation.logger, notifier: preparation.notifier)
        } catch {
            await connection.shutdown()
            throw CommandFailure(.scriptFailed, "cannot create the Lua VM: \(error.message)")
        }
        let json = request.json
        if !json {
            output.error("run \(runner.identity.runID): \(request.script) [\(request.mode.rawValue)] on \(connection.label); \(grant)")
        }
        // A scheduled run names its job, so the console can list a job's runs; never fatal.
        if let origin = Self.origin(environment.variables) {
            try? preparation.audit.recordOrigin(runID: runner.identity.runID, origin: origin, startedAt: Timestamp.iso(Date()))
        }
        self.request = request
        self.preparation = preparation
        self.connection = connection
        self.output = output
        self.sink = sink
        interrupter = runner.interrupter
        context = Context(
            panelURL: connection.label, apiKey: connection.client.configuration.apiKey, scriptPath: request.script,
            scriptSHA256: ContentHash.sha256(preparation.source), arguments: request.arguments, grant: grant)
        runID = runner.identity.runID
    }

    /// Runs the script to its end and reports it.
    /// - Parameter exit: ends the process; the watchdog calls it when the VM is stuck inside a
    ///   C call past the deadline.
    /// - Returns: the exit code.
    public func run(exit: @escaping @Sendable (Int32) -> Never) async -> RunExitCode {
        // The VM's own words for its time limit, so the terminal and the run record agree.
        let limitText = LuaLimit.time(timeLimit).description
        let watchdog = ProcessWatchdog(deadline: deadline, interrupter: interrupter) { [self] in
            // The VM is stuck in a C call: record and leave without waiting for it.
            let message = "\(limitText); the script was stuck inside a library call and the process was ended"
            _ = try? audit.finishRun(
                id: runID, endedAt: Timestamp.iso(Date()), status: .timedOut, output: sink.text,
                error: message)
            // The stuck VM's counts cannot be read from here: writes may have been sent.
            report(RunResult(runID: runID, status: .timedOut, error: message), countsKnown: false)
            output.finish(until: deadline + .milliseconds(980))
            exit(RunExitCode.limit.rawValue)
        }
        watchdog.start()
        let runner = self.runner
        var result = await ScriptThread.run { runner.execute() }
        watchdog.finish()
        await connection.shutdown()
        if result.status == .timedOut { result.error = limitText }
        if result.status == .interrupted { result.error = "interrupted (Ctrl-C or SIGTERM)" }
        var code = report(result)
        if let afterRun = request.afterRun, let replaced = afterRun(result, context, { output.error($0) }) { code = replaced }
        output.finish(until: deadline + .milliseconds(950))
        await preparation.shipRecords()
        return code
    }

    /// The job the scheduler started this run for, from the variables it sets on its children.
    static func origin(_ variables: [String: String]) -> AuditRunOrigin? {
        guard let job = variables["NIGHTSHIFT_JOB"], !job.isEmpty else { return nil }
        return AuditRunOrigin(
            job: job, kind: variables["NIGHTSHIFT_RUN_KIND"] ?? AuditRunKind.scheduled,
            slot: variables["NIGHTSHIFT_SLOT"].flatMap { Int64($0) }, attempt: variables["NIGHTSHIFT_ATTEMPT"].flatMap { Int($0) })
    }

    /// Writes the receipt, then the JSON object or the plan and summary; returns the exit code.
    /// - Parameter countsKnown: false when `result` does not hold the run's real writes and
    ///   notifications; the receipt then never says a retry is safe.
    @discardableResult
    private func report(_ result: RunResult, countsKnown: Bool = true) -> RunExitCode {
        let code = RunExitCode(result.status)
        if let resultFile = request.resultFile {
            var receipt = RunReceipt(
                runID: result.runID, status: result.status, exitCode: code.rawValue, error: result.error,
                errorKind: result.errorKind, writesSent: result.writesSent, creditsMoved: result.creditsMoved,
                notificationsSent: result.notificationsSent)
            if !countsKnown { receipt.retryable = false }
            receipt.panels = [
                PanelOutcome(
                    panel: connection.name, runID: result.runID, status: result.status, exitCode: code.rawValue,
                    error: result.error, errorKind: result.errorKind, writesSent: result.writesSent,
                    creditsMoved: result.creditsMoved)
            ]
            do { try receipt.write(to: resultFile) } catch {
                output.error("nightshift run: --result-file: \(error); the run itself is recorded in the audit log")
            }
        }
        let script = request.script
        let mode = request.mode
        if request.json {
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
}
