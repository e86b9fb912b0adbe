import ArgumentParser
import Foundation
import Logging
import NightshiftConfig
import NightshiftCore
import Operations
import OperationsFull
import ScriptCommands

/// `nightshift panels`: the panels nightshift.toml names, and `panels test`.
struct PanelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "panels",
        abstract: "List the panels nightshift.toml names ([panel], [panels.NAME]), or test them.",
        discussion: "See docs/fleets.md.",
        subcommands: [List.self, Test.self],
        defaultSubcommand: List.self)

    /// `nightshift panels [list]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the panels, where each key comes from and its fingerprint (never the key).",
            discussion: "Exit 0, or 6 when nightshift.toml cannot be read. A panel whose key cannot be used is listed with why.")

        @Flag(help: "Print one JSON array instead of a table.")
        var json = false

        @Option(name: .customLong("config"), help: "nightshift.toml to use (default: ./nightshift.toml, then ~/.config/nightshift/).")
        var configPath: String?

        func run() async throws {
            let environment = Environment()
            let configuration: NightshiftConfiguration
            do {
                configuration = try environment.configuration(explicit: configPath)
            } catch {
                Output.error("nightshift panels: \(error.message)")
                throw error.code.exit
            }
            let rows = PanelListing.rows(configuration, keys: environment.keys)
            if json {
                Output.out(PanelListing.json(rows))
                return
            }
            guard !rows.isEmpty else {
                Output.out("no panels: add [panels.NAME] tables (or [panel]) to nightshift.toml (docs/fleets.md)")
                return
            }
            printTable(PanelListing.table(rows))
            for note in PanelListing.notes(rows) { Output.out(note) }
        }
    }

    /// `nightshift panels test [NAME...]`.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Test panels: reachable, TLS valid, key accepted (one resellers list), and the round trip.",
            discussion: """
                Tells apart a connection refused, a TLS error, an invalid API key and an address not on \
                the panel's allow-list, and says what to do for each. Sends no write. Exit 0 when every \
                panel passes, 9 when one does not, 6 when nightshift.toml or a panel's name is wrong. \
                See docs/fleets.md.
                """)

        @Argument(help: "Panels by name (default: every panel `nightshift panels` lists; `default` is [panel]).")
        var names: [String] = []

        @Option(help: "The most the test of one panel may take, e.g. 10s.")
        var timeout: String = "10s"

        @Flag(help: "Print one JSON array instead of lines.")
        var json = false

        @Option(name: .customLong("config"), help: "nightshift.toml to use (default: ./nightshift.toml, then ~/.config/nightshift/).")
        var configPath: String?

        func validate() throws {
            guard let limit = Limits.duration(timeout), limit > .zero else {
                throw ValidationError("--timeout \(timeout): write it as 10s, 500ms or 1m")
            }
        }

        func run() async throws {
            var logger = Logger(label: "nightshift.panels")
            logger.logLevel = .critical
            let environment = Environment()
            let panels: [PanelDefinition]
            do {
                let configuration = try environment.configuration(explicit: configPath)
                panels = try PanelsTest.panels(names, configuration: configuration)
            } catch {
                Output.error("nightshift panels test: \(error.message)")
                throw error.code.exit
            }
            let results = await PanelProbe.test(
                panels, keys: environment.keys, timeout: Limits.duration(timeout)!, logger: logger)
            if json {
                Output.out(PanelsTest.json(results))
            } else {
                for line in PanelsTest.lines(results) { Output.out(line) }
            }
            if !results.allSatisfy(\.passed) { throw RunExitCode.somePanelsFailed.exit }
        }
    }
}
