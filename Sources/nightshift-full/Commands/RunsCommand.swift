import ArgumentParser
import Foundation
import NightshiftConfig
import NightshiftCore
import Operations
import PanelAPI
import ScriptRuntime
import RunRecords

/// `nightshift runs`: the runs recorded in the state folder, or of every host when the
/// records are shared, newest first.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recorded runs, newest first (status, grant, error; --output for what they printed).",
        discussion: """
            With [records] store in nightshift.toml, every host's runs, each naming its host: those copied \
            to the shared database and this host's not copied yet. --local reads this host's audit.sqlite only.
            """
    )

    @Option(help: "Only runs with this status: succeeded, failed, refused, \"timed out\", \"outcome unknown\", running, crashed...")
    var status: RunStatus?

    @Option(help: "Only runs whose script path contains this text.")
    var script: String?

    @Option(help: "How many runs at most.")
    var limit: Int = 50

    @Flag(help: "Show each run's output too.")
    var output = false

    @OptionGroup var source: RecordsOptions

    func run() async throws {
        let (records, showsHosts) = try await source.read(command: "runs") {
            try await $0.runs(status: status, script: script, limit: limit)
        }
        if source.json {
            Output.out(String(decoding: JSONWriter.write(.array(records.map(Self.json))), as: UTF8.self))
            return
        }
        if records.isEmpty {
            Output.out("no runs recorded")
            return
        }
        for record in records {
            let host = showsHosts ? "  \(record.host ?? "-")" : ""
            Output.out("\(record.id)\(host)  \(record.startedAt)  \(record.status)  \(record.mode)  \(record.scriptPath)\(record.arguments.isEmpty ? "" : "  " + record.arguments)")
            // Named panels and fleets only: most runs are on the one [panel].
            if let panel = record.panel, panel != PanelDefinition.defaultName || record.fleet != nil {
                Output.out("    panel: \(panel)" + (record.fleet.map { " (fleet \($0))" } ?? ""))
            }
            Output.out("    grant: \(record.grant)")
            if let error = record.error { Output.out("    error: \(error)") }
            if output, !record.output.isEmpty {
                for line in record.output.split(separator: "\n", omittingEmptySubsequences: false) { Output.out("    | \(line)") }
            }
        }
    }

    static func json(_ record: RunRecord) -> JSONValue {
        var object: JSONObject = [
            "id": .string(record.id), "script": .string(record.scriptPath), "script_hash": .string(record.scriptHash),
            "arguments": .string(record.arguments), "grant": .string(record.grant), "mode": .string(record.mode),
            "started_at": .string(record.startedAt),
        ]
        object["host"] = record.host.map(JSONValue.string) ?? .null
        object["panel"] = record.panel.map(JSONValue.string) ?? .null
        object["fleet"] = record.fleet.map(JSONValue.string) ?? .null
        object["ended_at"] = record.endedAt.map(JSONValue.string) ?? .null
        object["status"] = .string(record.status.rawValue)
        object["error"] = record.error.map(JSONValue.string) ?? .null
        object["output"] = .string(record.output)
        return .object(object)
    }
}
