import Foundation
import Logging
import LuaHost
import NightshiftCore
import PanelAPI
import RunRecords
import ScriptAPI

/// Runs one script: a fresh sandboxed VM with the script API, the grant and caps enforced,
/// every write audited, and the run recorded.
///
/// Make one per run and call ``execute()`` once, on a thread with a large stack that may
/// block (a `Thread`, never a Swift-concurrency thread): host functions wait there for the
/// panel. ``interrupter`` and ``identity`` may be used from any thread meanwhile.
public final class ScriptRunner: @unchecked Sendable {
    // Handed to the one thread that calls `execute()`; only `interrupter` (thread-safe) and
    // immutable properties are touched from elsewhere.
    /// The run's id, script path and hash.
    public let identity: RunIdentity
    /// Stops the run from another thread (the process watchdog, Ctrl-C).
    public let interrupter: LuaInterrupter
    private let vm: LuaVM
    private let panel: GuardedPanel
    private let run: ScriptRun
    private let audit: AuditLog?
    private let output: OutputSink
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let redact: @Sendable (String) -> String
    /// How long a stopped run waits for writes already sent to be answered.
    var drainLimit: Duration = .seconds(5)
    /// The modules the script loaded (set once the API is installed).
    private var loadedModules: RequireModule.Loaded?

    /// Prepares a run.
    /// - Parameters:
    ///   - run: the script, arguments, grant, mode and limits.
    ///   - client: the panel (its key is used only to redact).
    ///   - audit: where writes and the run are recorded; `nil` records nothing (tests, benchmarks).
    ///   - confirmer: asks before each write in confirm mode.
    ///   - output: receives `print` and `log.*` lines.
    ///   - now: the clock for timestamps.
    ///   - notifier: delivers `notify.send`'s messages (`nil`: no target is configured).
    public init(
        run: ScriptRun, client: PanelClient, audit: AuditLog?, confirmer: (any WriteConfirmer)? = nil,
        output: OutputSink, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }, notifier: Notifier? = nil,
        runID: String = RunIdentity.newRunID()
    ) throws(LuaError) {
        self.run = run
        self.audit = audit
        self.output = output
        self.logger = logger
        self.now = now
        let key = client.configuration.apiKey
        self.redact = { notifier?.redact(key.redact($0)) ?? key.redact($0) }
        self.identity = RunIdentity(runID: runID, scriptPath: run.scriptPath, scriptHash: run.scriptHash, panel: run.panel,
            fleet: run.fleet?.id)
        let sink = output
        self.vm = try LuaVM(sandbox: .standard, limits: run.limits, output: { sink.write(stream: "print", $0) })
        self.interrupter = vm.interrupter
        self.panel = GuardedPanel(
            client: client, grant: run.grant, mode: run.mode, audit: audit, identity: identity, confirmer: confirmer,
            logger: logger, now: now, catalogue: run.catalogue, fleet: run.fleet)
        panel.notifier = notifier
        // A refusal or an unknown outcome is a stop of its own: the script unwinds with its
        // message (pcall cannot catch it), and no further output is kept.
        panel.onStop = { [unowned vm] failure in
            vm.trip(.stopped(failure.message))
            sink.close()
        }
    }

    /// The record this run starts with.
    public var startRecord: RunRecord {
        RunRecord(
            id: identity.runID, scriptPath: run.scriptPath, scriptHash: identity.scriptHash, arguments: run.argumentsText,
            grant: run.grant.description, mode: run.mode.rawValue, startedAt: Timestamp.iso(now()),
            process: ProcessIdentity.current, panel: identity.panel, fleet: identity.fleet)
    }

    /// Runs the script to its end and records how it ended.
    public func execute() -> RunResult {
        if let audit {
            do {
                try audit.startRun(startRecord)
            } catch {
                return RunResult(runID: identity.runID, status: .auditFailure, error: "cannot record the run: \(error)")
            }
        }
        var result = runScript()
        result.output = output.text
        result.modules = loadedModules?.modules.map { RunResult.Module(path: $0.path, sha256: $0.sha256) } ?? []
        result.error = result.error.map(redact)
        if let audit {
            do {
                try audit.finishRun(
                    id: identity.runID, endedAt: Timestamp.iso(now()), status: result.status,
                    output: redact(result.output), error: result.error, modules: loadedModules?.recordText ?? "")
            } catch {
                logger.error("cannot record the end of the run", metadata: ["error": "\(error)"])
            }
        }
        return result
    }

    private func finished(_ status: RunStatus, _ error: String? = nil, kind: String? = nil) -> RunResult {
        var result = RunResult(
            runID: identity.runID, status: status, error: error, errorKind: kind, plan: panel.plan,
            writesSent: panel.writesSent, creditsMoved: panel.creditsMoved, notificationsSent: panel.notificationsSent)
        result.plannedWrites = panel.plannedWrites
        result.readAnswers = panel.readAnswers
        return result
    }

    private func runScript() -> RunResult {
        let declaration = ScriptDeclaration.parse(run.source, catalogue: run.catalogue)
        if !declaration.problems.isEmpty {
            return finished(.syntaxError, "\(run.scriptPath): bad nightshift: header: " + declaration.problems.joined(separator: "; "))
        }
        let excess = declaration.excess(over: run.grant)
        if !excess.isEmpty {
            return finished(.refused, "not started: " + excess.joined(separator: "; "), kind: "not granted")
        }

        let script: LuaFunctionRef
        let api: APIInstaller.Installed
        do {
            api = try APIInstaller.install(
                into: vm, panel: panel, output: output, arguments: run.arguments, maxTasks: run.maxTasks,
                defaultConcurrency: panel.client.configuration.concurrency, modules: ModuleSearch(folders: run.modulePaths),
                catalogue: run.catalogue, panelName: run.panel)
            loadedModules = api.modules
            script = try vm.load(bytes: run.source, chunkName: chunkName)
        } catch {
            return finished(error.kind == .syntax ? .syntaxError : .failed, error.message)
        }
        defer { vm.release(script) }
        api.scheduler.drainLimit = drainLimit
        api.scheduler.open()
        defer { api.scheduler.close() }
        do {
            _ = try vm.call(api.runMain, [.function(script)])
            api.scheduler.settle()
        } catch {
            // Writes still in flight are waited for, so the audit log has their real outcome.
            api.scheduler.settle()
            if let stop = panel.stop {
                let status: RunStatus =
                    switch stop.kind {
                    case .notGranted, .creditCap: .refused
                    case .panel(.outcomeUnknown): .outcomeUnknown
                    case .invalid: panel.auditError != nil ? .auditFailure : .failed
                    default: .failed
                    }
                return finished(status, stop.message, kind: stop.kind.word)
            }
            switch error.kind {
            case .limit(let limit):
                return finished(RunStatus(limit), "\(limit)")
            case .syntax:
                return finished(.syntaxError, error.message)
            default:
                var kind: String?
                if case .table(let table)? = error.value, case .string(let word) = table["kind"] { kind = word.description }
                return finished(.failed, error.message, kind: kind)
            }
        }
        if let stop = panel.stop {
            // The script returned before the interrupt could fire: still a refusal.
            return finished(stop.kind == .panel(.outcomeUnknown) ? .outcomeUnknown : .refused, stop.message, kind: stop.kind.word)
        }
        return finished(.succeeded)
    }

    private var chunkName: String {
        (run.scriptPath as NSString).lastPathComponent
    }

}
