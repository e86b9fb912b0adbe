import PanelAPI
import ScriptRuntime
import ScriptAPI

/// How `nightshift run` shows a result: a readable plan and summary, or one JSON object.
public enum RunReport {
    /// The dry-run plan, one numbered line per write.
    public static func planText(_ plan: [PlannedChange]) -> String {
        guard !plan.isEmpty else { return "Plan (dry-run): no changes." }
        let credits = plan.reduce(0) { $0 + $1.creditChange.magnitude }
        var lines = ["Plan (dry-run, nothing was sent): \(plan.count) change\(plan.count == 1 ? "" : "s"), \(credits) credits moved"]
        for (index, change) in plan.enumerated() { lines.append("  \(index + 1). \(change)") }
        return lines.joined(separator: "\n")
    }

    /// The one-line summary at the end of a run: status, writes sent, credits moved.
    public static func summary(_ result: RunResult, mode: RunMode, scriptPath: String) -> String {
        var text = "run \(result.runID) \(scriptPath) [\(mode.rawValue)]: \(result.status.rawValue)"
        if mode == .dryRun {
            text += "; \(result.plan.count) planned write\(result.plan.count == 1 ? "" : "s"), \(result.creditsMoved) credits"
        } else {
            text += "; \(result.writesSent) write\(result.writesSent == 1 ? "" : "s") sent, \(result.creditsMoved) credits moved"
            if result.notificationsSent > 0 {
                text += ", \(result.notificationsSent) notification\(result.notificationsSent == 1 ? "" : "s") sent"
            }
        }
        return text
    }

    /// The `--json` object of a run.
    public static func json(_ result: RunResult, mode: RunMode, scriptPath: String, exitCode: Int32) -> String {
        object(jsonObject(result, mode: mode, scriptPath: scriptPath, exitCode: exitCode))
    }

    /// The `--json` object of a run, as an object (a fleet's holds one per panel).
    public static func jsonObject(_ result: RunResult, mode: RunMode, scriptPath: String, exitCode: Int32) -> JSONObject {
        var object: JSONObject = [
            "run_id": .string(result.runID), "script": .string(scriptPath), "mode": .string(mode.rawValue),
            "status": .string(result.status.rawValue), "exit_code": .int(Int(exitCode)),
        ]
        object["error"] = result.error.map(JSONValue.string) ?? .null
        object["error_kind"] = result.errorKind.map(JSONValue.string) ?? .null
        object["writes_sent"] = .int(result.writesSent)
        object["credits_moved"] = .int(result.creditsMoved)
        object["notifications_sent"] = .int(result.notificationsSent)
        object["plan"] = .array(result.plan.map(change))
        object["output"] = .string(result.output)
        object["modules"] = .array(result.modules.map { .object(["path": .string($0.path), "sha256": .string($0.sha256)]) })
        return object
    }

    /// One JSON object as text: every JSON line `run` prints is built this way, never by
    /// pasting strings.
    public static func object(_ object: JSONObject) -> String {
        String(decoding: JSONWriter.write(.object(object)), as: UTF8.self)
    }

    /// One planned write as JSON.
    public static func change(_ change: PlannedChange) -> JSONValue {
        var object: JSONObject = [
            "endpoint": .string(change.endpoint), "target": .string(change.target),
            "parameters": .string(change.parameters), "credit_change": .int(change.creditChange),
        ]
        object["credits_before"] = change.creditsBefore.map(JSONValue.int) ?? .null
        object["credits_after"] = change.creditsAfter.map(JSONValue.int) ?? .null
        object["fields"] = .array(change.fieldChanges.map(JSONValue.string))
        object["location"] = change.location.map(JSONValue.string) ?? .null
        return .object(object)
    }
}
