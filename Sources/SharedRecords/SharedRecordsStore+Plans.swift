import PostgresNIO
import RunRecords

extension SharedRecordsStore {
    /// How plan `id` was used on any host, or nil if it never was.
    public func planUse(_ id: String) async throws -> AuditLog.PlanUse? {
        try await rows("SELECT * FROM nightshift_plan_uses WHERE id = \(id)").first.map { row in
            AuditLog.PlanUse(
                state: try row["state"].decode(String.self), actor: try row["actor"].decode(String.self),
                host: try row["host"].decode(String?.self), at: try row["at"].decode(String.self),
                endedAt: try row["ended_at"].decode(String?.self), runID: try row["run_id"].decode(String?.self),
                writesSent: Int(try row["writes_sent"].decode(Int64.self)), detail: try row["detail"].decode(String?.self))
        }
    }

    /// Claims plan `id` for every host, in one statement: true if this call claimed it.
    public func claimPlan(
        _ id: String, digest: String, state: String, actor: String, host: String?, at: String, runID: String?,
        detail: String? = nil
    ) async throws -> Bool {
        let claimed = try await rows(
            """
            INSERT INTO nightshift_plan_uses (id, digest, state, actor, host, at, run_id, detail)
            VALUES (\(id), \(digest), \(state), \(actor), \(host), \(at), \(runID), \(detail))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """)
        return !claimed.isEmpty
    }

    /// Records how an apply of plan `id` ended.
    public func finishPlan(_ id: String, state: String, endedAt: String, writesSent: Int, detail: String?) async throws {
        _ = try await rows(
            """
            UPDATE nightshift_plan_uses SET state = \(state), ended_at = \(endedAt), writes_sent = \(Int64(writesSent)),
                detail = \(detail) WHERE id = \(id) RETURNING id
            """)
    }
}
