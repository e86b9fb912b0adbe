import Foundation
import Logging
import LuaHost
import NightshiftConfig
import NightshiftCore
import RunRecords
import ScriptAPI
import ScriptRuntime

/// What a `nightshift run` process prepares before it opens any panel, the same for one run
/// (``ScriptProcess``) and for a fleet (``FleetProcess``): limits and the deadline, the
/// script's bytes, the logger, the audit log, the copy to the shared records, the notifier.
struct RunPreparation: Sendable {
    let request: ScriptProcess.Request
    let timeLimit: Duration
    let memoryLimit: Int
    let outputLimit: Int
    /// When the run must be over: the process's start plus the time limit.
    let deadline: ContinuousClock.Instant
    let notifier: Notifier
    let source: [UInt8]
    let logger: Logger
    let audit: AuditLog
    let records: RecordsCopy?

    /// Reads the script and opens the state: what can fail before any panel is opened.
    init(
        _ request: ScriptProcess.Request, started: ContinuousClock.Instant, environment: Environment,
        configuration: NightshiftConfiguration
    ) throws(CommandFailure) {
        self.request = request
        timeLimit = request.timeout ?? configuration.runTimeout ?? .seconds(30)
        memoryLimit = request.memory ?? configuration.memory ?? 64 << 20
        outputLimit = request.maxOutput ?? configuration.maxOutput ?? OutputSink.defaultMaxOutput
        deadline = started + timeLimit
        // Deliveries never outlive the run.
        notifier = Notifier(targets: configuration.notifyTargets, timeout: min(.seconds(10), timeLimit))
        do {
            source = try FileRead.bytes(request.script, what: "the script")
        } catch {
            throw CommandFailure(.scriptUnreadable, error.description)
        }
        var logger = Logger(label: "nightshift.run")
        logger.logLevel = request.verbose ? .debug : .warning
        self.logger = logger
        let stateDirectory = environment.stateDirectory(explicit: request.stateDirectory, configuration: configuration)
        audit = try environment.auditLog(stateDirectory: stateDirectory)
        records = RecordsCopy(
            settings: try environment.sharedRecords(configuration), audit: audit, stateDirectory: stateDirectory,
            environment: environment)
    }

    /// The sink of one run's output, written to `output` by its threads; each line after
    /// `prefix` (a fleet's `[eu] `).
    func sink(_ output: ProcessOutput, prefix: String = "") -> OutputSink {
        let json = request.json
        let verbose = request.verbose
        let deadline = deadline
        let lead = Array(prefix.utf8)
        return OutputSink(maxOutput: outputLimit) { line in
            if line.stream == "print" {
                (json ? output.standardError : output.standardOutput).write(lead + line.bytes, waitingUntil: deadline)
            } else if line.stream != "debug" || verbose {
                output.standardError.write(lead + Array("[\(line.stream)] ".utf8) + line.bytes, waitingUntil: deadline)
            }
        }
    }

    /// The run of the script on `panel`. The VM gets the whole limit (so its message names
    /// it); setup took milliseconds, and the watchdog holds the process to the deadline plus
    /// one second regardless.
    func scriptRun(grant: Grant, configuration: NightshiftConfiguration, panel: String, fleet: FleetLedger? = nil) -> ScriptRun {
        ScriptRun(
            scriptPath: request.script, source: source, arguments: request.arguments, grant: grant, mode: request.mode,
            limits: LuaLimits(memory: memoryLimit, time: timeLimit), maxTasks: request.maxTasks,
            modulePaths: request.modulePaths, catalogue: configuration.catalogue, panel: panel, fleet: fleet)
    }

    /// After the result is out: a copy that fails or is slow changes neither the run nor its
    /// exit code, and the process still ends within the deadline plus one second.
    func shipRecords() async {
        await records?.ship(until: min(.now + .seconds(5), deadline + .milliseconds(980))) {
            Output.error("nightshift run: \($0)")
        }
    }
}
