import ArgumentParser
import Foundation
import NightshiftConfig
import NightshiftCore
import Operations
import OperationsFull
import Plans
import RunRecords
import ScriptAPI
import ScriptCommands
import ScriptRuntime

/// `nightshift plan SCRIPT --out FILE`: a dry-run whose writes are saved for review,
/// approval and an exact apply.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Run a script as a dry-run and save its writes as a plan file to review, approve and apply.",
        discussion: """
            Takes run's flags. The plan file binds each write to what it was planned against (its \
            target's existence and balance; with --bind reads, every record the script read), the \
            panel and a fingerprint of its key, the script's and modules' SHA-256, the arguments, \
            the grant and caps; it expires (--expires, default 24h) and can be applied once. \
            nightshift show, approve, reject and apply take the file. With --panels eu,us (or all) \
            the script runs as a dry-run once per panel and the file holds one section per panel, \
            under one digest: approved once, applied to every panel (docs/plans.md, "Fleet plans").
            """
    )

    @OptionGroup var options: RunOptions

    @OptionGroup var fleet: FleetOptions

    @Option(
        help: ArgumentHelp(
            "Where to write the plan (refused if it exists; default: plans/ID.json in the state folder).", valueName: "file"))
    var out: String?

    @Option(help: "What writes are bound to: writes (their targets) or reads (also every record the script read).")
    var bind: String = "writes"

    @Option(name: .customLong("as"), help: "Who makes the plan (default: your user name; in a scheduled job, job NAME).")
    var author: String?

    @Option(help: "How long the plan may wait to be applied, e.g. 24h, 30m (default 24h).")
    var expires: String = "24h"

    @Option(
        name: .customLong("await-approval"),
        help: ArgumentHelp(
            "Wait up to this long (e.g. 1h) for the approvals [approvals] requires (at least one), then apply the plan; unapproved, it ends expired (exit 9), rejected, exit 10. The scheduler runs jobs with approval = \"required\" this way.",
            valueName: "duration"))
    var awaitApproval: String?

    @Option(
        name: .customLong("result-file"),
        help: ArgumentHelp("Also write how the run ended to this file, as one JSON object (the scheduler passes it).", valueName: "path"))
    var resultFile: String?

    func validate() throws {
        try fleet.validate(with: options.panelOptions)
        if fleet.panels != nil, awaitApproval != nil {
            throw ValidationError(
                "--await-approval waits for one panel's plan: approve a fleet plan with nightshift approve, then apply it with nightshift apply")
        }
        guard Plan.Binding(rawValue: bind) != nil else { throw ValidationError("--bind \(bind): write writes or reads") }
        guard let lifetime = Limits.duration(expires), lifetime > .zero else {
            throw ValidationError("--expires \(expires): write it as 24h, 30m or 7d... a duration above 0")
        }
        if let awaitApproval {
            guard let wait = Limits.duration(awaitApproval), wait > .zero else {
                throw ValidationError("--await-approval \(awaitApproval): write it as 1h, 30m or 90s... a duration above 0")
            }
            if options.panelOptions.emulator {
                throw ValidationError(
                    "--await-approval needs a real panel (--panel or nightshift.toml): the built-in emulator starts afresh for each connection, so the apply would not see what the plan saw")
            }
            _ = wait
        }
        _ = lifetime
    }

    func run() async throws {
        let binding = Plan.Binding(rawValue: bind)!
        let lifetime = Double(Limits.duration(expires)!.components.seconds)
        let environment = Environment()
        let job = environment.variables["NIGHTSHIFT_JOB"].flatMap { $0.isEmpty ? nil : $0 }
        // A scheduled job's plan is the job's (`job NAME`), not the daemon's OS user's: that
        // user may be an approver, and self-approval is judged on the author.
        let author = self.author.flatMap { $0.isEmpty ? nil : $0 } ?? job.map { "job \($0)" } ?? PlanActor.name(nil, environment: environment)
        let made = MadePlan()
        let explicitOut = out
        let awaiting = awaitApproval.flatMap(Limits.duration).map { Double($0.components.seconds) }
        let slot = environment.variables["NIGHTSHIFT_SLOT"].flatMap { Int64($0) }
        do {
            let configuration = try environment.configuration(explicit: options.state.configPath)
            let stateDirectory = environment.stateDirectory(explicit: options.state.stateDirectory, configuration: configuration)
            let audit = try environment.auditLog(stateDirectory: stateDirectory)
            let save = { @Sendable (plan: any ReviewedPlan, waitUntil: Date?, say: (String) -> Void) throws -> String in
                let out = try explicitOut ?? PlanKeeping.defaultPath(id: plan.id, stateDirectory: stateDirectory)
                try plan.write(to: out, replacing: false)
                try PlanKeeping.keep(plan, path: out, waitUntil: waitUntil, job: job, slot: slot, audit: audit)
                say("plan \(plan.id) written to \(out): \(plan.writeCount) writes, \(plan.creditsMoved) credits moved")
                say("digest \(plan.digest); expires at \(plan.expiresAt)")
                say("review it with: nightshift show \(out)")
                return out
            }
            if fleet.panels != nil {
                let maxCreditsTotal = fleet.maxCreditsTotal
                let code = try await options.executeFleet(fleet, mode: .dryRun, json: false, resultFile: resultFile) { runs, say in
                    let failed = runs.filter { $0.result.status != .succeeded }.map(\.panel)
                    guard failed.isEmpty else {
                        say("nightshift plan: no plan written: the dry-run did not succeed on \(failed.joined(separator: ", "))")
                        return nil
                    }
                    do {
                        let now = Date()
                        let plans = try runs.map { run throws in
                            (name: run.panel, plan: try Self.plan(run.result, run.context, binding: binding, author: author, now: now, lifetime: lifetime))
                        }
                        _ = try save(FleetPlan(panels: plans, maxCreditsTotal: maxCreditsTotal), nil, say)
                        return nil
                    } catch {
                        say("nightshift plan: \(error)")
                        return .refused
                    }
                }
                if code != .ok { throw code.exit }
                return
            }
            let code = try await options.execute(mode: .dryRun, json: false, resultFile: resultFile) { result, context, say in
                guard result.status == .succeeded else {
                    say("nightshift plan: no plan written: the dry-run did not succeed")
                    return nil
                }
                do {
                    let now = Date()
                    let plan = try Self.plan(result, context, binding: binding, author: author, now: now, lifetime: lifetime)
                    let waitUntil = awaiting.map { min(now.addingTimeInterval($0), Timestamps.date(plan.expiresAt) ?? now) }
                    let out = try save(plan, waitUntil, say)
                    made.set(plan, path: out, runID: result.runID, waitUntil: waitUntil)
                    return nil
                } catch {
                    say("nightshift plan: \(error)")
                    return .refused
                }
            }
            guard code == .ok, let awaiting = made.value, let waitUntil = awaiting.waitUntil else {
                if code != .ok { throw code.exit }
                return
            }
            let wait = try await PlanKeeping.awaitApproval(
                plan: awaiting.plan, path: awaiting.path, until: waitUntil, dryRunID: awaiting.runID, resultFile: resultFile,
                panelOptions: options.panelOptions, environment: environment, configuration: configuration,
                stateDirectory: options.state.stateDirectory)
            if wait != .ok { throw wait.exit }
        } catch let failure as CommandFailure {
            Output.error("nightshift plan: \(failure.message)")
            throw failure.code.exit
        }
    }
}

extension PlanCommand {
    /// The plan of one panel's dry-run.
    static func plan(
        _ result: RunResult, _ context: ScriptProcess.Context, binding: Plan.Binding, author: String, now: Date, lifetime: Double
    ) throws(PlanRefusal) -> Plan {
        try Plan(
            writes: result.plannedWrites, reads: result.readAnswers,
            context: Plan.Context(
                panel: Plan.Panel(url: context.panelURL, keyFingerprint: Plan.fingerprint(of: context.apiKey.secret)),
                script: Plan.Content(path: context.scriptPath, sha256: context.scriptSHA256),
                modules: result.modules.map { Plan.Content(path: $0.path, sha256: $0.sha256) },
                arguments: context.arguments.map { Plan.Argument(key: $0.key, value: $0.value) },
                grant: context.grant, binding: binding, author: author, now: now, lifetime: lifetime))
    }
}

/// The plan the dry-run made, handed from the run's closing closure to what follows it.
private final class MadePlan: @unchecked Sendable {
    struct Made {
        var plan: Plan
        var path: String
        var runID: String
        var waitUntil: Date?
    }

    private let lock = NSLock()
    private var made: Made?

    func set(_ plan: Plan, path: String, runID: String, waitUntil: Date?) {
        lock.withLock { made = Made(plan: plan, path: path, runID: runID, waitUntil: waitUntil) }
    }

    var value: Made? { lock.withLock { made } }
}
