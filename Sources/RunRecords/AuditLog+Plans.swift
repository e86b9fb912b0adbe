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

extension AuditLog {
    /// A plan this host made, kept so that `nightshift jobs pending`, `approve ID` and the
    /// console can find it: where its file is, and what it moves.
    public struct KeptPlan: Sendable, Equatable {
        /// The plan's single-use id.
        public var id: String
        /// Its file (absolute).
        public var path: String
        /// Its digest when made.
        public var digest: String
        /// Who made it (a scheduled job's plans: the job, as `job NAME`).
        public var author: String
        /// When it was made, and when it expires (ISO 8601, UTC).
        public var createdAt: String
        /// When it expires.
        public var expiresAt: String
        /// For a plan that waits for approval (`--await-approval`, a job with `approval =
        /// "required"`): until when it waits; nil for a plan applied by hand.
        public var waitUntil: String?
        /// The job and slot (seconds since the epoch) of a scheduled plan.
        public var job: String?
        /// The slot.
        public var slot: Int64?
        /// Its number of writes and the credits they move.
        public var writes: Int
        /// Credits moved (sum of absolute changes).
        public var credits: Int
        /// The panel's URL.
        public var panel: String

        /// Creates one.
        public init(
            id: String, path: String, digest: String, author: String, createdAt: String, expiresAt: String,
            waitUntil: String?, job: String?, slot: Int64?, writes: Int, credits: Int, panel: String
        ) {
            self.id = id
            self.path = path
            self.digest = digest
            self.author = author
            self.createdAt = createdAt
            self.expiresAt = expiresAt
            self.waitUntil = waitUntil
            self.job = job
            self.slot = slot
            self.writes = writes
            self.credits = credits
            self.panel = panel
        }

        init(row: Row) {
            self.init(
                id: row["id"], path: row["path"], digest: row["digest"], author: row["author"], createdAt: row["created_at"],
                expiresAt: row["expires_at"], waitUntil: row["wait_until"], job: row["job"], slot: row["slot"],
                writes: row["writes"], credits: row["credits"], panel: row["panel"])
        }
    }

    /// Keeps `plan` (once: a plan id is made once).
    public func keep(_ plan: KeptPlan) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO plans (id, path, digest, author, created_at, expires_at, wait_until, job, slot, writes, credits, panel)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    plan.id, plan.path, plan.digest, plan.author, plan.createdAt, plan.expiresAt, plan.waitUntil, plan.job,
                    plan.slot, plan.writes, plan.credits, plan.panel,
                ])
        }
    }

    /// The kept plan `id`, or nil.
    public func keptPlan(_ id: String) throws -> KeptPlan? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM plans WHERE id = ?", arguments: [id]).map(KeptPlan.init(row:))
        }
    }

    /// Kept plans, newest first, at most `limit`; with `waitingAt`, only plans that wait for
    /// approval, are not used (applied, partly applied, rejected) and whose wait has not
    /// passed at that time (ISO 8601, UTC).
    public func keptPlans(waitingAt: String? = nil, limit: Int = 200) throws -> [KeptPlan] {
        try queue.read { db in
            if let waitingAt {
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM plans WHERE wait_until IS NOT NULL AND wait_until > ? AND expires_at > ?
                        AND id NOT IN (SELECT id FROM plan_uses) ORDER BY created_at DESC LIMIT ?
                        """,
                    arguments: [waitingAt, waitingAt, limit]
                ).map(KeptPlan.init(row:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM plans ORDER BY created_at DESC LIMIT ?", arguments: [limit])
                .map(KeptPlan.init(row:))
        }
    }

    /// The approvals recorded in the log for plan `id` at `digest` (the console's: no
    /// signature, tied to the user who gave them), by approver name, oldest first.
    public func recordedApprovals(_ id: String, digest: String) throws -> [String] {
        try queue.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT actor FROM plan_events WHERE plan_id = ? AND digest = ? AND kind = 'approved' AND detail = 'console' ORDER BY seq",
                arguments: [id, digest])
        }
    }
}
