import ArgumentParser
import Foundation
import Operations
import PanelAPI
import ScriptRuntime
import RunRecords

/// `nightshift audit`: the writes scripts made, planned or were refused, from the audit log
/// (of every host when the records are shared).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List the writes in the audit log (every mode: sent, planned, refused, declined).",
        discussion: """
            Oldest first; the newest --limit rows. Outcomes: done, failed, refused, planned, declined, outcome unknown. \
            With [records] store in nightshift.toml, every host's writes, each naming its host; --local reads \
            this host's audit.sqlite only.
            """
    )

    @Option(name: .customLong("run"), help: "Only this run's writes.")
    var runID: String?

    @Option(help: "Only this endpoint, e.g. resellers.add_credits.")
    var endpoint: String?

    @Option(help: "Only this outcome, e.g. \"outcome unknown\" or refused.")
    var outcome: String?

    @Option(help: "Only this mode: live, dry-run or confirm.")
    var mode: String?

    @Option(help: "How many rows at most.")
    var limit: Int = 200

    @OptionGroup var records: RecordsOptions

    func run() async throws {
        let (entries, showsHosts) = try await records.read(command: "audit") {
            try await $0.writes(runID: runID, endpoint: endpoint, outcome: outcome, mode: mode, limit: limit)
        }
        if records.json {
            Output.out(String(decoding: JSONWriter.write(.array(entries.map(Self.json))), as: UTF8.self))
            return
        }
        if entries.isEmpty {
            Output.out("no writes recorded")
            return
        }
        for entry in entries {
            let host = showsHosts ? "  \(entry.host ?? "-")" : ""
            var line = "\(entry.time)\(host)  \(entry.runID)  \(entry.mode)  \(entry.outcome)  \(entry.endpoint)  \(entry.target)"
            if entry.creditChange != 0 || entry.creditsBefore != nil {
                let sign = entry.creditChange > 0 ? "+" : ""
                line += "  credits \(entry.creditsBefore.map(String.init) ?? "?") -> \(entry.creditsAfter.map(String.init) ?? "?") (\(sign)\(entry.creditChange))"
            }
            if let location = entry.location { line += "  [\(location)]" }
            Output.out(line)
            Output.out("    \(entry.parameters)")
            if let answer = entry.answer { Output.out("    answer: \(answer)") }
        }
    }

    static func json(_ entry: AuditEntry) -> JSONValue {
        var object: JSONObject = [
            "id": .int(Int(entry.id)), "time": .string(entry.time), "run_id": .string(entry.runID),
            "script": .string(entry.scriptPath), "script_hash": .string(entry.scriptHash),
            "endpoint": .string(entry.endpoint), "target": .string(entry.target),
            "parameters": .string(entry.parameters), "mode": .string(entry.mode), "outcome": .string(entry.outcome),
        ]
        object["answer"] = entry.answer.map(JSONValue.string) ?? .null
        object["credit_change"] = .int(entry.creditChange)
        object["credits_before"] = entry.creditsBefore.map(JSONValue.int) ?? .null
        object["credits_after"] = entry.creditsAfter.map(JSONValue.int) ?? .null
        object["location"] = entry.location.map(JSONValue.string) ?? .null
        object["host"] = entry.host.map(JSONValue.string) ?? .null
        object["panel"] = entry.panel.map(JSONValue.string) ?? .null
        return .object(object)
    }
}
