import Foundation
import LuaHost
import NightshiftConfig
import Logging
import NightshiftCore
import PanelAPI
import RunRecords
import ScriptAPI

/// A long-lived script session for the REPL: one VM whose globals persist between
/// statements, the same API, grant, caps and audit as `nightshift run`, limits per statement,
/// and a dry-run that can be switched on and off.
///
/// The grant's credit caps hold for the whole session, whatever the mode switches. Used from
/// one thread (the REPL's), except ``interrupt()``.
public final class InteractiveSession: @unchecked Sendable {
    // Everything but `interrupter` is touched only on the REPL's thread.
    /// The VM statements run in.
    public let vm: LuaVM
    /// The session's run id in the audit log.
    public let identity: RunIdentity
    private let panel: GuardedPanel
    private let audit: AuditLog?
    private let output: OutputSink
    private let interrupter: LuaInterrupter
    private let now: @Sendable () -> Date
    private let liveMode: RunMode
    private let api: APIInstaller.Installed

    /// Runs at the end of each statement, inside it: waits for the statement's tasks (give it
    /// to the REPL as its `join`).
    public var join: LuaFunctionRef { api.join }

    /// Starts a session.
    /// - Parameters:
    ///   - mode: `.dryRun` to start with writes planned, not sent; otherwise the mode writes
    ///     use when dry-run is off (`.confirm` asks before each one, `.live` does not).
    ///   - limits: applied to each statement.
    ///   - maxTasks: the most tasks alive at once in a statement.
    ///   - notifier: delivers `notify.send`'s messages (`nil`: no target is configured).
    public init(
        client: PanelClient, grant: Grant, mode: RunMode, limits: LuaLimits, audit: AuditLog?,
        confirmer: (any WriteConfirmer)?, output: OutputSink, logger: Logger,
        maxTasks: Int = ScriptRun.defaultMaxTasks, modulePaths: [String] = [],
        now: @escaping @Sendable () -> Date = { Date() }, notifier: Notifier? = nil, catalogue: APICatalogue = .standard,
        panelName: String = PanelDefinition.defaultName
    ) throws(LuaError) {
        self.audit = audit
        self.output = output
        self.now = now
        self.liveMode = mode == .dryRun ? .confirm : mode
        identity = RunIdentity(runID: RunIdentity.newRunID(), scriptPath: "(repl)", scriptHash: "", panel: panelName)
        let sink = output
        vm = try LuaVM(sandbox: .standard, limits: limits, output: { sink.write(stream: "print", $0) })
        interrupter = vm.interrupter
        panel = GuardedPanel(
            client: client, grant: grant, mode: mode, audit: audit, identity: identity, confirmer: confirmer,
            logger: logger, now: now, catalogue: catalogue)
        panel.notifier = notifier
        panel.onStop = { [unowned vm] failure in vm.trip(.stopped(failure.message)) }
        api = try APIInstaller.install(
            into: vm, panel: panel, output: output, arguments: [], maxTasks: maxTasks, defaultConcurrency: client.configuration.concurrency,
            modules: ModuleSearch(folders: modulePaths), catalogue: catalogue, panelName: panelName)
        api.scheduler.open()
        if let audit {
            try? audit.startRun(
                RunRecord(
                    id: identity.runID, scriptPath: "(repl)", scriptHash: "", arguments: "", grant: grant.description,
                    mode: mode.rawValue, startedAt: Timestamp.iso(now()), panel: panelName))
        }
    }

    /// Whether writes are being planned rather than sent.
    public var isDryRun: Bool { panel.mode == .dryRun }

    /// Call before each statement: a refusal that ended the last statement does not end the
    /// session (the caps and what was spent stay).
    public func prepareStatement() {
        panel.clearStop()
    }

    /// Call after each statement: stops what it left running (its tasks, calls not yet sent),
    /// and waits for its writes in flight so that the audit log has their outcome.
    public func finishStatement() {
        api.scheduler.settle()
    }

    /// Stops the running statement, including a panel read it is waiting for.
    public func interrupt() {
        interrupter.interrupt()
    }

    /// Switches dry-run on, or off again; returns what to tell the operator.
    public func togglePlan() -> String {
        if panel.mode == .dryRun {
            let plan = panel.plan
            panel.switchMode(to: liveMode)
            let listing = plan.isEmpty ? "no writes were planned" : plan.map { "  " + $0.description }.joined(separator: "\n")
            return "dry-run off: writes are sent again (\(liveMode.rawValue)); the plan was:\n\(listing)"
        }
        panel.switchMode(to: .dryRun)
        return "dry-run on: writes are planned, not sent; .plan again shows the plan and switches back"
    }

    /// The writes this session made or planned, from the audit log.
    public func auditText() -> String {
        guard let audit else { return "no audit log in this session" }
        do {
            let writes = try audit.writes(runID: identity.runID)
            if writes.isEmpty { return "no writes in this session" }
            return writes.map { entry in
                var line = "\(entry.time)  \(entry.mode)  \(entry.endpoint) \(entry.target)  \(entry.outcome)"
                if let before = entry.creditsBefore, let after = entry.creditsAfter { line += "  credits \(before) -> \(after)" }
                return line
            }.joined(separator: "\n")
        } catch {
            return "cannot read the audit log: \(error)"
        }
    }

    /// Records the end of the session.
    public func finish() {
        api.scheduler.close()
        _ = try? audit?.finishRun(id: identity.runID, endedAt: Timestamp.iso(now()), status: .succeeded, output: "", error: nil)
    }
}
