import NightshiftCore
import ScriptRuntime
import RunRecords

/// What `nightshift runs` and `nightshift audit` show when the records are shared: every
/// host's copied rows, plus this host's rows not copied yet (runs still going, or rows
/// waiting for the database), so that nothing this host knows is hidden by the copy lagging.
public enum SharedRecordsView {
    /// Runs of every host, newest first; this host's own record wins over its copy.
    public static func runs(
        shared: SharedRecordsStore, local: AuditLog, status: RunStatus? = nil, script: String? = nil, limit: Int = 50
    ) async throws -> [RunRecord] {
        let copied = try await shared.runs(status: status, script: script, limit: limit)
        let pending = try local.runs(status: status, script: script, limit: limit, unshipped: true)
        var byKey: [String: RunRecord] = [:]
        for run in copied + pending { byKey[key(run.host, run.id)] = run }
        let sorted = byKey.values.sorted { a, b in
            (a.startedAt, a.host ?? "", a.id) > (b.startedAt, b.host ?? "", b.id)
        }
        return Array(sorted.prefix(limit))
    }

    /// Writes of every host: the newest `limit` that match, oldest first.
    public static func writes(
        shared: SharedRecordsStore, local: AuditLog, runID: String? = nil, endpoint: String? = nil,
        outcome: String? = nil, mode: String? = nil, limit: Int = 200
    ) async throws -> [AuditEntry] {
        let copied = try await shared.writes(runID: runID, endpoint: endpoint, outcome: outcome, mode: mode, limit: limit)
        let pending = try local.writes(
            runID: runID, endpoint: endpoint, outcome: outcome, mode: mode, limit: limit, unshipped: true)
        var byKey: [String: AuditEntry] = [:]
        for entry in copied + pending { byKey[key(entry.host, entry.runID, String(entry.id))] = entry }
        let sorted = byKey.values.sorted { a, b in
            (a.time, a.host ?? "", a.id) < (b.time, b.host ?? "", b.id)
        }
        return Array(sorted.suffix(limit))
    }

    private static func key(_ host: String?, _ parts: String...) -> String {
        ([host ?? ""] + parts).joined(separator: "\u{1F}")
    }
}
