import ArgumentParser
import Foundation
import NightshiftCore
import Operations
import PanelAPI
import ScriptRuntime
import NightshiftConfig
import ScriptAPI

/// `nightshift run SCRIPT`: one run of one script against the panel, within its grant.
public struct RunCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script against the panel, within a grant (reads only by default).",
        discussion: """
            Writes are guarded by the grant (--allow, --max-credits, --max-credits-per-reseller) and \
            recorded in the audit log before they are sent. --dry-run sends no write and prints the \
            plan; --confirm asks before each write. The run ends within --timeout plus one second, \
            whatever the script does, even when its output is not read (output that cannot be written \
            by then is dropped, and standard error says so). Past --max-output, output is dropped with \
            one line saying so and the run goes on. --panels eu,us (or all) runs the script once per \
            panel of nightshift.toml, all at once, each a run of its own, then prints a fleet summary; \
            --max-credits-total caps the whole fleet (docs/fleets.md). Exit codes: docs/exit-codes.md. \
            Lua API: docs/scripting.md.
            """
    )

    @OptionGroup public var options: RunOptions

    @OptionGroup public var fleet: FleetOptions

    @Flag(name: .customLong("dry-run"), help: "Send no write: print the plan a live run would make.")
    public var dryRun = false

    @Flag(help: "Show each write and send it only after you answer yes.")
    public var confirm = false

    @Flag(help: "Print one JSON object describing the run instead of text.")
    public var json = false

    @Option(
        name: .customLong("result-file"),
        help: ArgumentHelp(
            "Also write how the run ended to this file, as one JSON object (the scheduler passes it to read its runs' outcomes).",
            valueName: "path"))
    public var resultFile: String?

    public func validate() throws {
        if dryRun && confirm { throw ValidationError("--dry-run and --confirm cannot be combined") }
        try fleet.validate(with: options.panelOptions)
        if fleet.panels != nil {
            if confirm {
                throw ValidationError("--confirm asks before each write, and a fleet's panels run at once: confirm one panel at a time with --panel NAME")
            }
        }
    }

    public var mode: RunMode { dryRun ? .dryRun : confirm ? .confirm : .live }

    public func run() async throws {
        do {
            let code =
                fleet.panels == nil
                ? try await options.execute(mode: mode, json: json, resultFile: resultFile)
                : try await options.executeFleet(fleet, mode: mode, json: json, resultFile: resultFile)
            if code != .ok { throw code.exit }
        } catch let failure as CommandFailure {
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
}
