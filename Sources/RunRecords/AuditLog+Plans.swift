import GRDB

extension AuditLog {
    /// How a plan was used, as the audit log records it.
    public struct PlanUse: Sendable, Equatable {
        /// `applying` (sending now, or the process died while it was), `applied`, `partial`
        /// (applied in part: it can never be applied again) or `rejected`.
        public var state: String
        /// Who applied or rejected it.
        public var actor: String
        /// The host that applied it.
        public var host: String?
        /// When it started (ISO 8601, UTC).
        public var at: String
        /// When it ended.
        public var endedAt: String?
        /// The apply's run id.
        public var runID: String?
        /// Writes sent.
        public var writesSent: Int
        /// The reason of a rejection, or what stopped an apply.
        public var detail: String?

        /// Creates one.
        public init(
            state: String, actor: String, host: String?, at: String, endedAt: String?, runID: String?, writesSent: Int,
            detail: String?
        ) {
            self.state = state
            self.actor = actor
            self.host = host
            self.at = at
            self.endedAt = endedAt
            self.runID = runID
            self.writesSent = writesSent
            self.detail = detail
        }
    }

    /// One thing that happened to a plan: made, approved, rejected, applied.
    public struct PlanEvent: Sendable, Equatable {
        /// `made`, `approved`, `rejected`, `applied`, `partial`.
        public var kind: String
        /// Who did it.
        public var actor: String
        /// When (ISO 8601, UTC).
        public var at: String
        /// The plan's digest at the time.
        public var digest: String
        /// A rejection's reason, an apply's summary.
        public var detail: String?

        /// Creates one.
        public init(kind: String, actor: String, at: String, digest: String, detail: String?) {
            self.kind = kind
            self.actor = actor
            self.at = at
            self.digest = digest
            self.detail = detail
        }
    }

    /// How plan `id` was used, or nil if it never was.
    public func planUse(_ id: String) throws -> PlanUse? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM plan_uses WHERE id = ?", arguments: [id]).map { row in
                PlanUse(
                    state: row["state"], actor: row["actor"], host: row["host"], at: row["at"], endedAt: row["ended_at"],
                    runID: row["run_id"], writesSent: row["writes_sent"], detail: row["detail"])
            }
        }
    }

    /// Claims plan `id` for use, in one statement: true if this call claimed it, false if it
    /// was used (applied, partly applied or rejected) before.
    public func claimPlan(
        _ id: String, digest: String, state: String, actor: String, host: String?, at: String, runID: String?,
        detail: String? = nil
    ) throws -> Bool {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO plan_uses (id, digest, state, actor, host, at, run_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO NOTHING
                    """,
                arguments: [id, digest, state, actor, host, at, runID, detail])
            return db.changesCount > 0
        }
    }

    /// Records how an apply of plan `id` ended: `applied` or `partial`.
    public func finishPlan(_ id: String, state: String, endedAt: String, writesSent: Int, detail: String?) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE plan_uses SET state = ?, ended_at = ?, writes_sent = ?, detail = ? WHERE id = ?",
                arguments: [state, endedAt, writesSent, detail, id])
        }
    }

    /// Adds an event to plan `id`'s story.
    public func recordPlanEvent(_ id: String, _ event: PlanEvent) throws {
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO plan_events (plan_id, digest, kind, actor, at, detail) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, event.digest, event.kind, event.actor, event.at, event.detail])
        }
    }

    /// Plan `id`'s events, oldest first.
    public func planEvents(_ id: String) throws -> [PlanEvent] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM plan_events WHERE plan_id = ? ORDER BY seq", arguments: [id]).map { row in
                PlanEvent(kind: row["kind"], actor: row["actor"], at: row["at"], digest: row["digest"], detail: row["detail"])
            }
        }
    }
}
