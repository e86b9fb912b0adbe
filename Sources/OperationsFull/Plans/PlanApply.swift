import Foundation
import Logging
import NightshiftConfig
import NightshiftCore
import Operations
import PanelAPI
import Plans
import RunRecords
import ScriptAPI
import ScriptRuntime
import SharedRecords
import Synchronization

/// `nightshift apply`: sends exactly a plan's writes, without running any Lua, once every
/// check passes, in the order DESIGN.md fixes: digest, schema version (when the file is
/// read), expiry, single use, approvals, panel and key, caps, preconditions. Then it claims the
/// plan (one statement, in the shared records too when configured) and sends its writes
/// with the client's politeness, each audited with the plan's id.
public final class PlanApply: Sendable {
    /// How an apply ended.
    public struct Outcome: Sendable {
        /// `applied` (every write answered yes) or `partial` (it stopped: the plan is used up).
        public var state: String
        /// The apply's run status: succeeded, failed (the panel refused a write) or outcome unknown.
        public var status: RunStatus
        /// Writes sent.
        public var writesSent: Int
        /// Credits moved by writes the panel accepted.
        public var creditsMoved: Int
        /// What stopped it, if anything.
        public var error: String?
        /// The apply's run id (the audit log's run).
        public let runID: String

        /// What the plan's use records of a stopped apply: `3 of 5 writes sent; why`.
        func detail(of writes: Int) -> String? { error.map { "\(writesSent) of \(writes) writes sent; \($0)" } }
    }

    let plan: Plan
    private let path: String
    private let client: PanelClient
    private let panelURL: String
    private let panelName: String?
    private let audit: AuditLog
    private let shared: SharedRecordsStore?
    private let approvals: ApprovalSettings
    private let actor: String
    private let host: String?
    private let now: @Sendable () -> Date
    /// The apply's run id.
    public let runID: String

    /// - Parameters:
    ///   - panelURL: the panel the command connects to, as the connection names it.
    ///   - panelName: its name (`eu`, `default`), for the run record and audit rows.
    ///   - shared: the shared records, when configured: the plan is claimed there too, so a
    ///     second host refuses it.
    ///   - actor: who applies it (for the audit log).
    public init(
        plan: Plan, path: String, client: PanelClient, panelURL: String, panelName: String? = nil, audit: AuditLog, shared: SharedRecordsStore?,
        approvals: ApprovalSettings, actor: String, host: String?, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.plan = plan
        self.path = path
        self.client = client
        self.panelURL = panelURL
        self.panelName = panelName
        self.audit = audit
        self.shared = shared
        self.approvals = approvals
        self.actor = actor
        self.host = host
        self.now = now
        runID = RunIdentity.newRunID()
    }

    // MARK: Checks

    /// How long the checks took.
    public struct CheckTiming: Sendable {
        /// Every check.
        public var total: Duration
        /// Of that, reading the panel for the preconditions (one reseller list, and each
        /// other bound read once).
        public var panelRead: Duration
    }

    /// Every check, in order; throws the first refusal. Reads the panel once (the reseller
    /// list) when preconditions or bound reads need it.
    @discardableResult
    public func check() async throws(PlanRefusal) -> CheckTiming {
        let clock = ContinuousClock()
        let started = clock.now
        try plan.checkDigest()
        try plan.checkExpiry(now: now())
        try await checkUnused()
        try plan.checkApprovals(approvals, recorded: try recordedApprovals())
        try checkPanel()
        try plan.checkCaps()
        let reading = clock.now
        try await checkPreconditions()
        let ended = clock.now
        return CheckTiming(total: ended - started, panelRead: ended - reading)
    }

    /// The console's approvals of this plan's digest, from the audit log.
    func recordedApprovals() throws(PlanRefusal) -> [String] {
        do {
            return try audit.recordedApprovals(plan.id, digest: plan.digest)
        } catch {
            throw PlanRefusal(.approvals, "cannot read the plan's approvals from the audit log (\(error)); nothing was sent")
        }
    }

    /// Refuses a plan used before: applied, partly applied, being applied, or rejected (in
    /// the file, this host's audit log, or the shared records).
    private func checkUnused() async throws(PlanRefusal) {
        try await Self.checkUnused(plan, audit: audit, shared: shared)
    }

    /// Refuses `plan` when it was rejected (in the file), or used or rejected in this host's
    /// audit log or the shared records.
    static func checkUnused(_ plan: any ReviewedPlan, audit: AuditLog, shared: SharedRecordsStore?) async throws(PlanRefusal) {
        if let rejection = plan.rejections.first {
            throw PlanRefusal(.used, "the plan was rejected by \(rejection.by) at \(rejection.at): \(rejection.reason); nothing was sent")
        }
        var use: AuditLog.PlanUse?
        do {
            use = try audit.planUse(plan.id)
            if use == nil, let shared { use = try await shared.planUse(plan.id) }
        } catch {
            throw PlanRefusal(.used, "cannot learn whether the plan was used before (\(error)); nothing was sent")
        }
        if let use { throw PlanRefusal(.used, Self.usedText(plan.id, use)) }
    }

    /// Why plan `id` cannot be applied again, in words.
    public static func usedText(_ id: String, _ use: AuditLog.PlanUse) -> String {
        let whereWhen = "at \(use.at)" + (use.host.map { " on \($0)" } ?? "")
        switch use.state {
        case "rejected":
            return "the plan \(id) was rejected by \(use.actor) \(whereWhen): \(use.detail ?? "no reason given"); nothing was sent"
        case "applied":
            return "the plan \(id) was applied \(whereWhen) (run \(use.runID ?? "?")); a plan is used once: make a new one; nothing was sent"
        case "expired":
            return "the plan \(id) waited for approval and expired \(whereWhen): \(use.detail ?? "not approved in time"); nothing was sent"
        case "partial":
            return "the plan \(id) was partly applied \(whereWhen) (\(use.writesSent) writes sent: \(use.detail ?? "it stopped")); it can never be applied again: make a new plan from the panel as it is now; nothing was sent"
        default:
            return "the plan \(id) has been being applied since \(use.at)\(use.host.map { " on \($0)" } ?? "") (or that apply died); it can never be applied again; nothing was sent"
        }
    }

    private func checkPreconditions() async throws(PlanRefusal) {
        let differences = try await differences()
        guard differences.isEmpty else {
            throw PlanRefusal(
                .preconditions,
                "the panel changed since the plan was made, so its writes would not have the reviewed outcome; nothing was sent:\n"
                    + differences.map { "  " + $0 }.joined(separator: "\n") + "\nMake a new plan and have it reviewed")
        }
    }

    /// The panel check of ``check()`` alone: the same URL, a key with the same fingerprint.
    func checkPanel() throws(PlanRefusal) {
        try plan.checkPanel(url: panelURL, keyFingerprint: Plan.fingerprint(of: client.configuration.apiKey.secret))
    }

    /// Reads the panel once (the reseller list, and each other bound read) and returns each
    /// difference from what the plan was made against, in words; throws when it cannot read.
    func differences() async throws(PlanRefusal) -> [String] {
        var resellers: [Reseller] = []
        var answers: [Int: [UInt8]] = [:]
        do throws(PanelError) {
            if plan.needsResellerList { resellers = try await client.list() }
            for (index, read) in plan.reads.enumerated() where read.records == nil {
                let request = try PanelRequest(group: read.group, action: read.action, params: read.form, kind: .read)
                answers[index] = JSONWriter.write(try await client.perform(request).body)
            }
        } catch {
            throw PlanRefusal(.preconditions, "cannot read the panel to check the plan's preconditions: \(error); nothing was sent")
        }
        return plan.differences(resellers: resellers, answers: answers)
    }

    // MARK: Sending

    /// Claims the plan and sends its writes: writes to one target one after another, in
    /// the plan's order; writes to different targets at once, within the client's
    /// `--concurrency` and `--rate`. A refusal by the panel or an unknown outcome stops it:
    /// writes not yet sent are not sent, and the plan is used up (partial).
    /// - Throws: a ``PlanRefusal`` (``PlanRefusal/Check/used``) when another process claimed it first.
    public func send() async throws(PlanRefusal) -> Outcome {
        let started = Timestamp.iso(now())
        try await Self.claim(plan, actor: actor, host: host, at: started, runID: runID, audit: audit, shared: shared)
        let outcome = try await sendWrites(started: started, fleet: nil)
        await Self.finish(
            plan, state: outcome.state, writesSent: outcome.writesSent, detail: outcome.detail(of: plan.writes.count), actor: actor,
            at: Timestamp.iso(now()), audit: audit, shared: shared)
        return outcome
    }

    /// Claims `plan` for an apply: in the shared records first when configured (so a second
    /// host refuses it), then in this host's audit log, with an `applying` event.
    /// - Throws: a ``PlanRefusal`` (``PlanRefusal/Check/used``) when it was claimed before,
    ///   or the claim cannot be recorded; nothing was sent then.
    static func claim(
        _ plan: any ReviewedPlan, actor: String, host: String?, at started: String, runID: String, audit: AuditLog,
        shared: SharedRecordsStore?
    ) async throws(PlanRefusal) {
        if let shared {
            let claimed: Bool
            do {
                claimed = try await shared.claimPlan(
                    plan.id, digest: plan.digest, state: "applying", actor: actor, host: host, at: started, runID: runID)
            } catch {
                throw PlanRefusal(
                    .used,
                    "cannot claim the plan in the shared records (\(error)): applying it without the claim could apply it twice from two hosts; nothing was sent")
            }
            if !claimed, let use = try? await shared.planUse(plan.id) { throw PlanRefusal(.used, usedText(plan.id, use)) }
        }
        let claimed: Bool
        do {
            claimed = try audit.claimPlan(plan.id, digest: plan.digest, state: "applying", actor: actor, host: host, at: started, runID: runID)
        } catch {
            throw PlanRefusal(.used, "cannot record the apply in the audit log (\(error)); nothing was sent")
        }
        guard claimed else {
            let use = try? audit.planUse(plan.id)
            throw PlanRefusal(.used, use.map { usedText(plan.id, $0) } ?? "the plan was claimed by another apply; nothing was sent")
        }
        _ = try? audit.recordPlanEvent(plan.id, AuditLog.PlanEvent(kind: "applying", actor: actor, at: started, digest: plan.digest, detail: nil))
    }

    /// Records how the apply of `plan` ended (`applied` or `partial`): its use, an event,
    /// and the shared records' use.
    static func finish(
        _ plan: any ReviewedPlan, state: String, writesSent: Int, detail: String?, actor: String, at ended: String, audit: AuditLog,
        shared: SharedRecordsStore?
    ) async {
        _ = try? audit.finishPlan(plan.id, state: state, endedAt: ended, writesSent: writesSent, detail: detail)
        _ = try? audit.recordPlanEvent(plan.id, AuditLog.PlanEvent(kind: state, actor: actor, at: ended, digest: plan.digest, detail: detail))
        if let shared { try? await shared.finishPlan(plan.id, state: state, endedAt: ended, writesSent: writesSent, detail: detail) }
    }

    /// Sends the writes of a plan already claimed, as a run of its own (mode `apply`; one
    /// panel of fleet `fleet` when given), and finishes that run; the plan's use is left to
    /// the caller.
    func sendWrites(started: String, fleet: String?) async throws(PlanRefusal) -> Outcome {
        do {
            try audit.startRun(
                RunRecord(
                    id: runID, scriptPath: path, scriptHash: String(plan.digest.dropFirst("sha256:".count)),
                    arguments: "plan=\(plan.id)", grant: grantText, mode: "apply", startedAt: started,
                    process: ProcessIdentity.current, host: host, panel: panelName, fleet: fleet))
        } catch {
            throw PlanRefusal(.used, "cannot record the apply in the audit log (\(error)); nothing was sent")
        }

        let progress = Progress()
        // Writes in chains by target, each chain in the plan's order.
        var chains: [String: [Int]] = [:]
        var order: [String] = []
        for (index, write) in plan.writes.enumerated() {
            let key = write.target.map { "\(write.group)/\($0.param)=\($0.value)" } ?? "write \(index)"
            if chains[key] == nil { order.append(key) }
            chains[key, default: []].append(index)
        }
        // As many senders as the client lets requests be at the panel at once, each taking
        // the next chain when it is done with one: a write's audit row is written just
        // before it is sent (as in a run), not thousands of rows ahead of the gate, and no
        // task waits at the gate for nothing.
        let queue = ChainQueue(order.map { chains[$0]! })
        let senders = min(order.count, client.gate.concurrency)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<senders {
                group.addTask { [self] in
                    while !progress.stopped, let chain = queue.next() {
                        for index in chain {
                            if progress.stopped { return }
                            await sendOne(index, progress: progress)
                        }
                    }
                }
            }
            // A stop cancels the writes waiting for their turn at the client's gate: they
            // end without being sent.
            for await _ in group where progress.stopped { group.cancelAll() }
        }
        let ended = Timestamp.iso(now())
        let result = progress.result
        let state = result.failure == nil && result.sent == plan.writes.count ? "applied" : "partial"
        let status: RunStatus = result.unknown ? .outcomeUnknown : (result.failure == nil ? .succeeded : .failed)
        _ = try? audit.finishRun(id: runID, endedAt: ended, status: status, output: "", error: result.failure)
        return Outcome(
            state: state, status: status, writesSent: result.sent, creditsMoved: result.credits, error: result.failure, runID: runID)
    }

    private var grantText: String {
        var text = "allow " + (plan.grant.allow.isEmpty ? "nothing" : plan.grant.allow.joined(separator: ", "))
        text += "; max credits \(plan.grant.maxCredits)"
        if let perReseller = plan.grant.maxCreditsPerReseller { text += " (\(perReseller) per reseller)" }
        return text
    }

    private func sendOne(_ index: Int, progress: Progress) async {
        let write = plan.writes[index]
        let key = client.configuration.apiKey
        let request: PanelRequest
        do throws(PanelError) {
            request = try write.request()
        } catch {
            progress.fail("write \(index + 1) (\(write.endpoint) \(write.label)): \(error)", unknown: false)
            return
        }
        let entry = AuditEntry(
            time: Timestamp.iso(now()), runID: runID, scriptPath: path, scriptHash: String(plan.digest.dropFirst(7)),
            endpoint: write.endpoint, target: write.label, parameters: key.redact(request.redactedDescription), mode: "apply",
            outcome: AuditOutcome.unknown, creditChange: write.creditChange, creditsBefore: write.creditsBefore,
            creditsAfter: write.creditsAfter, location: write.location, planID: plan.id, panel: panelName)
        let row: Int64
        do {
            row = try audit.record(entry)
        } catch {
            progress.fail("cannot write the audit log (\(error)); write \(index + 1) was not sent", unknown: false)
            return
        }
        if progress.stopped {
            try? audit.complete(row, outcome: AuditOutcome.failed, answer: "not sent: the apply stopped")
            return
        }
        do throws(PanelError) {
            let reply = try await client.perform(request)
            try? audit.complete(row, outcome: AuditOutcome.done, answer: key.redact(String(decoding: JSONWriter.write(reply.body), as: UTF8.self)))
            progress.done(credits: abs(write.creditChange))
        } catch {
            switch error.kind {
            case .transport:
                // Nothing reached the panel (or the apply stopped it before it was sent).
                try? audit.complete(row, outcome: AuditOutcome.failed, answer: key.redact(error.description))
                progress.fail("write \(index + 1) (\(write.endpoint) \(write.label)): \(key.redact(error.description))", unknown: false)
            case .notAuthorised, .ipNotAllowed, .refused, .invalidRequest:
                progress.answered()
                try? audit.complete(row, outcome: AuditOutcome.failed, answer: key.redact(error.description))
                progress.fail("write \(index + 1) (\(write.endpoint) \(write.label)): \(key.redact(error.description))", unknown: false)
            default:
                progress.answered()
                try? audit.complete(row, outcome: AuditOutcome.unknown, answer: key.redact(error.description))
                progress.fail(
                    "write \(index + 1) (\(write.endpoint) \(write.label)): \(key.redact(error.description)); it may or may not have been applied: look at the panel",
                    unknown: true)
            }
        }
    }

    /// The chains of writes not yet taken by a sender, in the plan's order.
    private final class ChainQueue: Sendable {
        private let chains: [[Int]]
        private let taken = Mutex(0)

        init(_ chains: [[Int]]) { self.chains = chains }

        /// The next chain, or nil when every chain was taken.
        func next() -> [Int]? {
            taken.withLock { taken in
                guard taken < chains.count else { return nil }
                taken += 1
                return chains[taken - 1]
            }
        }
    }

    /// What the writes in flight have done so far; shared by the apply's tasks.
    private final class Progress: @unchecked Sendable {
        private let lock = NSLock()
        private var sent = 0
        private var credits = 0
        private var failure: String?
        private var unknown = false

        var stopped: Bool { lock.withLock { failure != nil } }

        /// A write reached the panel and was answered (yes or no), or its outcome is unknown.
        func answered() { lock.withLock { sent += 1 } }

        func done(credits moved: Int) {
            lock.withLock {
                sent += 1
                credits += moved
            }
        }

        func fail(_ message: String, unknown isUnknown: Bool) {
            lock.withLock {
                if failure == nil { failure = message }
                if isUnknown { unknown = true }
            }
        }

        var result: (sent: Int, credits: Int, failure: String?, unknown: Bool) {
            lock.withLock { (sent, credits, failure, unknown) }
        }
    }
}
