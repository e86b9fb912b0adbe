import ArgumentParser
import Foundation
import Operations
import PanelAPI
import ScriptRuntime

/// `nightshift runs`: the runs recorded in the state folder, newest first.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recorded runs, newest first (status, grant, error; --output for what they printed)."
    )

    @Option(help: "Only runs with this status: ok, failed, refused, \"timed out\", \"outcome unknown\", running, crashed...")
    var status: String?

    @Option(help: "Only runs whose script path contains this text.")
    var script: String?

    @Option(help: "How many runs at most.")
    var limit: Int = 50

    @Flag(help: "Show each run's output too.")
    var output = false

    @Flag(help: "Print JSON (an array of objects).")
    var json = false

    @OptionGroup var state: StateOptions

    func run() throws {
        let records: [RunRecord]
        do {
            let environment = Environment()
            let configuration = try environment.configuration(explicit: state.configPath)
            let audit = try environment.auditLog(
                stateDirectory: environment.stateDirectory(explicit: state.stateDirectory, configuration: configuration))
            records = try audit.runs(status: status, script: script, limit: limit)
        } catch let failure as RunCommandFailure {
            Output.error("nightshift runs: \(failure.message)")
            throw failure.code.exit
        }
        if json {
            Output.out(String(decoding: JSONWriter.write(.array(records.map(Self.json))), as: UTF8.self))
            return
        }
        if records.isEmpty {
            Output.out("no runs recorded")
            return
        }
        for record in records {
            Output.out("\(record.id)  \(record.startedAt)  \(record.status)  \(record.mode)  \(record.scriptPath)\(record.arguments.isEmpty ? "" : "  " + record.arguments)")
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
        object["ended_at"] = record.endedAt.map(JSONValue.string) ?? .null
        object["status"] = .string(record.status)
        object["error"] = record.error.map(JSONValue.string) ?? .null
        object["output"] = .string(record.output)
        return .object(object)
    }
}
