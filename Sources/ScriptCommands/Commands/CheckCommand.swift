import ArgumentParser
import Foundation
import NightshiftCore
import LuaHost
import Operations
import PanelAPI
import ScriptRuntime
import NightshiftConfig
import ScriptAPI

/// `nightshift check SCRIPT`: compiles the script and shows the grant it needs.
public struct CheckCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a script and the modules it requires: syntax errors with file and line, the API functions used and the grant needed.",
        discussion: """
            With --allow/--max-credits, also checks the script's declaration and the functions it \
            uses against that grant (exit 2 when they exceed it). Functions are found in the text: \
            calls made through aliases are not seen, and the run's grant still guards every call. \
            --json prints one JSON object instead, for editors and CI; exit codes are the same.
            """
    )

    @Argument(help: "The Lua script.")
    public var script: String

    @Option(name: .customLong("allow"), help: "A function the grant would allow (repeatable).")
    public var allow: [String] = []

    @Option(name: .customLong("max-credits"), help: "The grant's credit cap.")
    public var maxCredits: Int?

    @Option(name: .customLong("max-credits-per-reseller"), help: "The grant's per-reseller cap.")
    public var maxCreditsPerReseller: Int?

    @Flag(help: "Print the findings as one JSON object.")
    public var json = false

    @OptionGroup public var modules: ModuleOptions

    @Option(name: .customLong("config"), help: "nightshift.toml to use, for [modules] paths (default: ./nightshift.toml, then ~/.config/nightshift/).")
    public var configPath: String?

    public func run() throws {
        let source: [UInt8]
        do {
            source = try FileRead.bytes(script, what: "the script")
        } catch {
            Output.error("nightshift check: \(error)")
            throw NightshiftExitCode.scriptUnreadable.exit
        }
        let configuration: NightshiftConfiguration
        do {
            configuration = try Environment().configuration(explicit: configPath)
        } catch {
            Output.error("nightshift check: \(error)")
            throw NightshiftExitCode.configuration.exit
        }
        let report = ProgramCheck(
            script: script, source: source, grant: try grant(configuration.catalogue),
            modules: ModuleSearch(folders: modules.paths(configuration)), catalogue: configuration.catalogue)
        if json {
            Output.out(report.json)
        } else {
            for line in report.lines { Output.out(line) }
        }
        if let exitCode = report.exitCode { throw ExitCode(exitCode) }
    }

    /// The grant given on the command line, or `nil` when none is.
    private func grant(_ catalogue: APICatalogue) throws -> Grant? {
        guard !allow.isEmpty || maxCredits != nil || maxCreditsPerReseller != nil else { return nil }
        var allowed = Set<APIFunction>()
        for name in allow {
            guard let functions = catalogue.parse(name) else {
                throw ValidationError("--allow \(name): unknown function; known: \(catalogue.allowable)")
            }
            allowed.formUnion(functions)
        }
        return Grant(
            allowed: allow.isEmpty ? catalogue.reads : allowed, maxCredits: maxCredits ?? 0,
            maxCreditsPerReseller: maxCreditsPerReseller)
    }
}
