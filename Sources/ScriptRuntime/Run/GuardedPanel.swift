import Foundation
import LuaHost
import Logging
import PanelAPI

/// The panel as one run sees it: every call checked against the grant and the credit caps,
/// every write audited, and writes sent, planned or confirmed according to the mode.
///
/// Calls return a ``CallStep``: reads and sent writes finish on the script's thread when the
/// panel answers (see ``TaskScheduler``), so several can be in flight at once. Credits are
/// reserved when a write is made, before it is sent, and released if the panel refuses it:
/// the caps hold under any interleaving.
///
/// Used only on the run's thread.
final class GuardedPanel {
    /// How a write changes credits.
    enum CreditEffect {
        /// No credit change.
        case none
        /// Adds this many (negative takes).
        case add(Int)
        /// Sets credits to this value (measured against the panel's current value).
        case set(Int)
        /// A new reseller starting with this many.
        case start(Int)
    }

    /// A write to make.
    struct Write {
        var function: APIFunction
        var request: PanelRequest
        var target: ResellerRef?
        var targetLabel: String
        var effect: CreditEffect
        var fieldChanges: [String] = []
        var viewChange: PanelView.Change?
        /// The script or module line that made the write.
        var location: String?
    }

    let client: PanelClient
    let grant: Grant
    /// Live, dry-run or confirm; the REPL switches it with ``switchMode(to:)``.
    private(set) var mode: RunMode
    let audit: AuditLog?
    let identity: RunIdentity
    let confirmer: (any WriteConfirmer)?
    let logger: Logger
    let now: @Sendable () -> Date
    private(set) var ledger: CreditLedger
    private(set) var view: PanelView
    private(set) var plan: [PlannedChange] = []
    private(set) var writesSent = 0
    /// Where `notify.send` delivers (`nil`: no target is configured).
    var notifier: Notifier?
    /// Notifications handed to their targets (live and confirm).
    var notificationsSent = 0
    /// The failure that ended the run from inside a host function (refusal, outcome unknown).
    private(set) var stop: ScriptFailure?
    /// Called when a failure must end the run, with the failure that ended it: trips the VM
    /// so that the script unwinds with that failure's message.
    var onStop: (ScriptFailure) -> Void = { _ in }
    /// Runs the calls host code must wait for itself (a read that a write needs first).
    weak var scheduler: TaskScheduler?
    /// Audit failures are reported once, here, and end the run: no unaudited write is sent.
    private(set) var auditError: String?

    init(
        client: PanelClient, grant: Grant, mode: RunMode, audit: AuditLog?, identity: RunIdentity,
        confirmer: (any WriteConfirmer)?, logger: Logger, now: @escaping @Sendable () -> Date
    ) {
        self.client = client
        self.grant = grant
        self.mode = mode
        self.audit = audit
        self.identity = identity
        self.confirmer = confirmer
        self.logger = logger
        self.now = now
        self.ledger = CreditLedger(grant: grant)
        self.view = PanelView(keepsOverlay: mode == .dryRun)
    }

    var creditsMoved: Int { ledger.total }

    /// Lets the next statement run after a refusal ended the last one (REPL). The ledger,
    /// and so the caps already spent, stays.
    func clearStop() { stop = nil }

    /// Switches between modes mid-session (REPL). Entering dry-run starts a fresh plan;
    /// leaving it drops the planned writes from the view, so reads see the panel again.
    func switchMode(to newMode: RunMode) {
        guard newMode != mode else { return }
        if newMode == .dryRun || mode == .dryRun {
            plan = []
            view = PanelView(keepsOverlay: newMode == .dryRun)
        }
        mode = newMode
    }

    // MARK: Reads

    /// `resellers.list()`: the panel's list, with planned writes laid over it in dry-run.
    func list() -> CallStep<[JSONObject]> {
        // The VM notices an interrupt within a thousand instructions, not at once: until it
        // does, every call after a stop fails the same way and nothing more is sent.
        if let stop { return .now(.failure(stop)) }
        guard grant.allows(.resellersList) else {
            return .now(.failure(refuseUnaudited(.resellersList, "resellers.list is not granted (grant it with --allow resellers.list)")))
        }
        return .later(fetch().map { [unowned self] in view.rows })
    }

    /// Reads the panel's list into the view.
    private func fetch() -> PanelWait<Void> {
        let client = self.client
        return PanelWait(kind: .read, endpoint: "resellers.list") {
            do throws(PanelError) {
                return .success(.resellers(try await client.list()))
            } catch {
                return .failure(error)
            }
        } finish: { [unowned self] outcome in
            switch outcome {
            case .success(.resellers(let resellers)):
                view.refresh(resellers)
                return .success(())
            case .success:
                return .failure(ScriptFailure(PanelError(.malformedResponse, endpoint: "resellers.list")))
            case .failure(let error):
                return .failure(ScriptFailure(error))
            }
        }
    }

    /// Reads the panel's list and waits for it in place (host code that needs it first).
    private func fetchInPlace() -> Result<Void, ScriptFailure> {
        guard let scheduler else { return .failure(ScriptFailure(.invalid, endpoint: "resellers.list", detail: "no scheduler")) }
        return scheduler.waitInPlace(fetch())
            ?? .failure(ScriptFailure(PanelError(.timeout, endpoint: "resellers.list", detail: "stopped while waiting for the panel")))
    }

    // MARK: Writes

    /// Checks, audits and (per mode) sends, plans or confirms one write.
    func perform(_ write: Write) -> CallStep<PanelReply> {
        if let stop { return .now(.failure(stop)) }
        let endpoint = write.request.endpoint
        guard grant.allows(write.function) else {
            let failure = ScriptFailure(
                .notGranted, endpoint: endpoint,
                detail: "\(write.function.rawValue) is not granted (grant it with --allow \(write.function.rawValue)); nothing was sent")
            return .now(refuse(write, failure, change: 0, before: nil, after: nil))
        }

        // What the write does to credits, measured against the panel (or the plan).
        let needsView = mode != .live || {
            if case .set = write.effect { return true }
            if grant.maxCreditsPerReseller != nil, case .username? = write.target { return !view.fetched }
            return false
        }()
        if needsView {
            let refetch: Bool = { if case .set = write.effect { return true }; return !view.fetched }()
            if refetch, case .failure(let error) = fetchInPlace() {
                if let stop { return .now(.failure(stop)) }
                let failure = ScriptFailure(
                    error.kind, endpoint: endpoint,
                    detail: "cannot read the reseller's current credits (\(error.message)); nothing was sent")
                return .now(fail(write, failure, outcome: AuditOutcome.failed, change: 0, before: nil, after: nil))
            }
            // Other tasks ran while this one waited: one of them may have stopped the run.
            if let stop { return .now(.failure(stop)) }
        }
        var change = 0
        var before: Int?
        var after: Int?
        switch write.effect {
        case .none:
            break
        case .add(let amount):
            change = amount
            before = write.target.flatMap { view.credits(of: $0) }
            after = before.map { $0 + amount }
        case .start(let credits):
            change = credits
            after = credits
        case .set(let credits):
            guard let target = write.target, let current = view.credits(of: target) else {
                let failure = ScriptFailure(
                    .panel(.refused), endpoint: endpoint,
                    detail: "NOT EXISTS (\(write.targetLabel) is not in the panel's list, so the credit change cannot be measured); nothing was sent",
                    panelMessage: "NOT EXISTS")
                return .now(fail(write, failure, outcome: AuditOutcome.failed, change: 0, before: nil, after: credits))
            }
            before = current
            after = credits
            change = credits - current
        }
        var write = write
        describe(&write)
        let key = resellerKey(write)
        do {
            try ledger.check(change, reseller: key)
        } catch {
            let failure = ScriptFailure(.creditCap, endpoint: endpoint, detail: "\(error); nothing was sent")
            return .now(refuse(write, failure, change: change, before: before, after: after))
        }

        let planned = PlannedChange(
            endpoint: endpoint, target: write.targetLabel, request: write.request,
            creditsBefore: before, creditsAfter: after, creditChange: change, fieldChanges: write.fieldChanges, location: write.location)

        switch mode {
        case .dryRun:
            return .now(planWrite(write, planned, key: key))
        case .confirm:
            if !(confirmer?.confirm(planned) ?? false) {
                let failure = ScriptFailure(.declined, endpoint: endpoint, detail: "the operator said no; nothing was sent")
                return .now(fail(write, failure, outcome: AuditOutcome.declined, change: change, before: before, after: after))
            }
            return send(write, planned, key: key)
        case .live:
            return send(write, planned, key: key)
        }
    }

    private func planWrite(_ write: Write, _ planned: PlannedChange, key: String) -> Result<PanelReply, ScriptFailure> {
        let endpoint = write.request.endpoint
        // Refuse what the panel would refuse, so the plan is what a live run would do.
        if let refusal = simulatedRefusal(write, planned) {
            let failure = ScriptFailure(
                .panel(.refused), endpoint: endpoint, detail: "\(refusal) (dry-run: the panel would refuse this)",
                panelMessage: refusal)
            return fail(write, failure, outcome: AuditOutcome.failed, change: planned.creditChange,
                before: planned.creditsBefore, after: planned.creditsAfter)
        }
        var body: JSONObject = ["result": .bool(true)]
        var viewChange = write.viewChange
        if case .new(var row)? = viewChange {
            let id = view.nextPlannedID
            row["id"] = .int(id)
            viewChange = .new(row)
            body["created_id"] = .int(id)
            ledger.commit(planned.creditChange, reseller: key)
            ledger.merge(key, into: "id:\(id)")
        } else {
            ledger.commit(planned.creditChange, reseller: key)
        }
        guard record(write, planned, outcome: AuditOutcome.planned, answer: "not sent (dry-run)") != nil else {
            return .failure(auditFailure(endpoint))
        }
        if let viewChange { view.record(viewChange) }
        plan.append(planned)
        return .success(PanelReply(body: .object(body)))
    }

    private func simulatedRefusal(_ write: Write, _ planned: PlannedChange) -> String? {
        switch write.function {
        case .resellersNew:
            if case .new(let row)? = write.viewChange, let name = row["username"]?.looseString, view.exists(username: name) {
                return "EXISTS"
            }
        case .resellersAddCredits, .resellersUpdate:
            guard let target = write.target, view.index(of: target) != nil else { return "NOT EXISTS" }
            if let after = planned.creditsAfter, after < 0 {
                return write.function == .resellersAddCredits ? "NOT ENOUGH CREDITS" : "PARAMETER ERROR (credits)"
            }
        default: break
        }
        return nil
    }

    private func send(_ write: Write, _ planned: PlannedChange, key: String) -> CallStep<PanelReply> {
        let endpoint = write.request.endpoint
        guard let row = record(write, planned, outcome: AuditOutcome.unknown, answer: nil) else {
            return .now(.failure(auditFailure(endpoint)))
        }
        // Reserved before sending: credits whose fate is unknown stay counted, and writes
        // made meanwhile by other tasks are measured against them.
        ledger.commit(planned.creditChange, reseller: key)
        let client = self.client
        let request = write.request
        writesSent += 1
        return .later(
            PanelWait(kind: .mutation, endpoint: endpoint) {
                do throws(PanelError) {
                    return .success(.reply(try await client.perform(request)))
                } catch {
                    return .failure(error)
                }
            } finish: { [unowned self] outcome in
                finishSend(write, planned, key: key, row: row, outcome)
            })
    }

    /// A sent write's answer, on the script's thread: audit, view, and the reservation kept
    /// or released.
    private func finishSend(
        _ write: Write, _ planned: PlannedChange, key: String, row: Int64, _ outcome: Result<PanelAnswer, PanelError>
    ) -> Result<PanelReply, ScriptFailure> {
        switch outcome {
        case .success(.reply(let reply)):
            complete(row, outcome: AuditOutcome.done, answer: String(decoding: JSONWriter.write(reply.body), as: UTF8.self))
            if var change = write.viewChange {
                if case .new(var newRow) = change, let id = reply.createdID {
                    newRow["id"] = .int(id)
                    change = .new(newRow)
                    ledger.merge(key, into: "id:\(id)")
                }
                view.record(change)
            }
            return .success(reply)
        case .success(.resellers), .success(.notification):
            let error = PanelError(.malformedResponse, endpoint: write.request.endpoint)
            complete(row, outcome: AuditOutcome.unknown, answer: error.description)
            return .failure(ScriptFailure(error))
        case .failure(let error):
            let failure = ScriptFailure(error)
            switch error.kind {
            case .notAuthorised, .ipNotAllowed, .refused, .transport, .invalidRequest:
                // Nothing was applied: the credits are free again.
                ledger.release(planned.creditChange, reseller: key)
                complete(row, outcome: AuditOutcome.failed, answer: failure.message)
            default:
                complete(row, outcome: AuditOutcome.unknown, answer: failure.message)
            }
            if failure.endsRun { stopRun(failure) }
            return .failure(failure)
        }
    }

    /// Names the reseller by both username and id, and shows changed fields with their old
    /// values, when the view knows them.
    private func describe(_ write: inout Write) {
        guard let target = write.target, let index = view.index(of: target) else { return }
        let row = view.rows[index]
        let name = (row["username"] ?? row["name"])?.looseString
        let id = row["id"]?.looseInt
        if let name, let id { write.targetLabel = "\(name) (id \(id))" }
        if case .update(_, let fields)? = write.viewChange {
            write.fieldChanges = fields.entries.filter { $0.key != "credits" }.map { entry in
                let old = row[entry.key].map(ResellersModule.describe) ?? "?"
                return "\(entry.key) \(old) -> \(ResellersModule.describe(entry.value))"
            }
        }
    }

    // MARK: Refusals and audit

    private func refuse(
        _ write: Write, _ failure: ScriptFailure, change: Int, before: Int?, after: Int?
    ) -> Result<PanelReply, ScriptFailure> {
        let result = fail(write, failure, outcome: AuditOutcome.refused, change: change, before: before, after: after)
        stopRun(failure)
        return result
    }

    private func refuseUnaudited(_ function: APIFunction, _ detail: String) -> ScriptFailure {
        let failure = ScriptFailure(.notGranted, endpoint: function.rawValue, detail: detail)
        stopRun(failure)
        return failure
    }

    private func fail(
        _ write: Write, _ failure: ScriptFailure, outcome: String, change: Int, before: Int?, after: Int?
    ) -> Result<PanelReply, ScriptFailure> {
        let planned = PlannedChange(
            endpoint: write.request.endpoint, target: write.targetLabel, request: write.request,
            creditsBefore: before, creditsAfter: after, creditChange: change, fieldChanges: write.fieldChanges, location: write.location)
        guard record(write, planned, outcome: outcome, answer: failure.message) != nil else {
            return .failure(auditFailure(write.request.endpoint))
        }
        return .failure(failure)
    }

    private func record(_ write: Write, _ planned: PlannedChange, outcome: String, answer: String?) -> Int64? {
        guard audit != nil else { return -1 }
        return recordEntry(
            endpoint: write.request.endpoint, target: write.targetLabel,
            parameters: client.configuration.apiKey.redact(write.request.redactedDescription), outcome: outcome,
            answer: answer.map(client.configuration.apiKey.redact), creditChange: planned.creditChange,
            creditsBefore: planned.creditsBefore, creditsAfter: planned.creditsAfter, location: write.location)
    }

    /// Inserts an audit row (parameters and answer already redacted); its id, `-1` without
    /// an audit log, `nil` when the log failed.
    func recordEntry(
        endpoint: String, target: String, parameters: String, outcome: String, answer: String?, creditChange: Int,
        creditsBefore: Int?, creditsAfter: Int?, location: String?
    ) -> Int64? {
        guard let audit else { return -1 }
        let entry = AuditEntry(
            time: Timestamp.iso(now()), runID: identity.runID, scriptPath: identity.scriptPath,
            scriptHash: identity.scriptHash, endpoint: endpoint, target: target, parameters: parameters, mode: mode.rawValue,
            outcome: outcome, answer: answer, creditChange: creditChange, creditsBefore: creditsBefore,
            creditsAfter: creditsAfter, location: location)
        do {
            return try audit.record(entry)
        } catch {
            auditError = "cannot write the audit log: \(error)"
            return nil
        }
    }

    /// `answer` is only built when there is an audit log to complete.
    func complete(_ row: Int64, outcome: String, answer: @autoclosure () -> String?) {
        guard let audit, row >= 0 else { return }
        do {
            try audit.complete(row, outcome: outcome, answer: answer().map(client.configuration.apiKey.redact))
        } catch {
            auditError = "cannot complete an audit record: \(error)"
            logger.error("audit log", metadata: ["error": "\(error)"])
        }
    }

    func auditFailure(_ endpoint: String) -> ScriptFailure {
        let failure = ScriptFailure(
            .invalid, endpoint: endpoint, detail: "\(auditError ?? "the audit log failed"); nothing was sent")
        stopRun(failure)
        return failure
    }

    func stopRun(_ failure: ScriptFailure) {
        if stop == nil { stop = failure }
        onStop(stop ?? failure)
    }

    /// Adds a planned write (or notification) to the dry-run's plan.
    func addToPlan(_ change: PlannedChange) { plan.append(change) }

    /// The key credits are counted under: the reseller's id when known.
    private func resellerKey(_ write: Write) -> String {
        // Without a per-reseller cap only the total matters.
        guard grant.maxCreditsPerReseller != nil else { return "" }
        guard let target = write.target else {
            if case .new(let row)? = write.viewChange { return "new:" + (row["username"]?.looseString ?? "?") }
            return "none"
        }
        if let id = view.id(of: target) { return "id:\(id)" }
        if case .username(let name) = target { return "username:" + name }
        return "?"
    }
}
