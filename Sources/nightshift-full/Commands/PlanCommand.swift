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
            nightshift show, approve, reject and apply take the file. See docs/plans.md.
            """
    )

    @OptionGroup var options: RunOptions

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
            let code = try await options.execute(mode: .dryRun, json: false, resultFile: resultFile) { result, context, say in
                guard result.status == .succeeded else {
                    say("nightshift plan: no plan written: the dry-run did not succeed")
                    return nil
                }
                do {
                    let now = Date()
                    let plan = try Plan(
                        writes: result.plannedWrites, reads: result.readAnswers,
                        context: Plan.Context(
                            panel: Plan.Panel(url: context.panelURL, keyFingerprint: Plan.fingerprint(of: context.apiKey.secret)),
                            script: Plan.Content(path: context.scriptPath, sha256: context.scriptSHA256),
                            modules: result.modules.map { Plan.Content(path: $0.path, sha256: $0.sha256) },
                            arguments: context.arguments.map { Plan.Argument(key: $0.key, value: $0.value) },
                            grant: context.grant, binding: binding, author: author, now: now, lifetime: lifetime))
                    let out = try explicitOut ?? PlanKeeping.defaultPath(id: plan.id, stateDirectory: stateDirectory)
                    try plan.write(to: out, replacing: false)
                    let waitUntil = awaiting.map { min(now.addingTimeInterval($0), Timestamps.date(plan.expiresAt) ?? now) }
                    try PlanKeeping.keep(
                        plan, path: out, waitUntil: waitUntil, job: job, slot: slot,
                        audit: audit)
                    say("plan \(plan.id) written to \(out): \(plan.writes.count) writes, \(plan.creditsMoved) credits moved")
                    say("digest \(plan.digest); expires at \(plan.expiresAt)")
                    say("review it with: nightshift show \(out)")
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
