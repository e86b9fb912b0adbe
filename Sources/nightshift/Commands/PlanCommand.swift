import ArgumentParser
import Foundation
import NightshiftConfig
import NightshiftCore
import Operations
import Plans
import RunRecords
import ScriptAPI
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

    @Option(help: ArgumentHelp("Where to write the plan (refused if it exists).", valueName: "file"))
    var out: String

    @Option(help: "What writes are bound to: writes (their targets) or reads (also every record the script read).")
    var bind: String = "writes"

    @Option(name: .customLong("as"), help: "Who makes the plan (default: your user name).")
    var author: String?

    @Option(help: "How long the plan may wait to be applied, e.g. 24h, 30m (default 24h).")
    var expires: String = "24h"

    func validate() throws {
        guard Plan.Binding(rawValue: bind) != nil else { throw ValidationError("--bind \(bind): write writes or reads") }
        guard let lifetime = Limits.duration(expires), lifetime > .zero else {
            throw ValidationError("--expires \(expires): write it as 24h, 30m or 7d... a duration above 0")
        }
        _ = lifetime
    }

    func run() async throws {
        let out = self.out
        let binding = Plan.Binding(rawValue: bind)!
        let lifetime = Double(Limits.duration(expires)!.components.seconds)
        let author = PlanActor.name(self.author, environment: Environment())
        do {
            let code = try await options.execute(mode: .dryRun, json: false, resultFile: nil) { result, context, say in
                guard result.status == .succeeded else {
                    say("nightshift plan: no plan written: the dry-run did not succeed")
                    return nil
                }
                do {
                    let plan = try Plan(
                        writes: result.plannedWrites, reads: result.readAnswers,
                        context: Plan.Context(
                            panel: Plan.Panel(url: context.panelURL, keyFingerprint: Plan.fingerprint(of: context.apiKey.secret)),
                            script: Plan.Content(path: context.scriptPath, sha256: context.scriptSHA256),
                            modules: result.modules.map { Plan.Content(path: $0.path, sha256: $0.sha256) },
                            arguments: context.arguments.map { Plan.Argument(key: $0.key, value: $0.value) },
                            grant: context.grant, binding: binding, author: author, now: Date(), lifetime: lifetime))
                    try plan.write(to: out, replacing: false)
                    say("plan \(plan.id) written to \(out): \(plan.writes.count) writes, \(plan.creditsMoved) credits moved")
                    say("digest \(plan.digest); expires at \(plan.expiresAt)")
                    say("review it with: nightshift show \(out)")
                    return nil
                } catch {
                    say("nightshift plan: \(error)")
                    return .refused
                }
            }
            if code != .ok { throw code.exit }
        } catch let failure as RunCommandFailure {
            Output.error("nightshift plan: \(failure.message)")
            throw failure.code.exit
        }
    }
}
