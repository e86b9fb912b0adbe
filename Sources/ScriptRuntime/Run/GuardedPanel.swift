import Foundation
import LuaHost
import Logging
import PanelAPI
import RunRecords
import ScriptAPI

/// The panel as one run sees it: every call checked against the grant and the credit caps,
/// every write audited, and writes sent, planned or confirmed according to the mode.
///
/// One read path and one write path serve every endpoint, built-in or declared: a ``Read``
/// or a ``Write`` knows its endpoint, form, target and credit effect; what one group knows
/// beyond that (the resellers' names, the dry-run's view of them) stays in the group, which
/// sees the writes it makes through its ``WriteObserver``.
///
/// Calls return a ``CallStep``: reads and sent writes finish on the script's thread when the
/// panel answers (see ``TaskScheduler``), so several can be in flight at once. Credits are
/// reserved when a write is made, before it is sent, and released if the panel refuses it:
/// the caps hold under any interleaving.
///
/// Used only on the run's thread.
final class GuardedPanel: RunPanel {
    let client: PanelClient
    let grant: Grant
    let catalogue: APICatalogue
    /// Live, dry-run or confirm; the REPL switches it with ``switchMode(to:)``.
    private(set) var mode: RunMode
    let audit: AuditLog?
    let identity: RunIdentity
    let confirmer: (any WriteConfirmer)?
    let logger: Logger
    let now: @Sendable () -> Date
    private(set) var ledger: CreditLedger
    /// The fleet's shared cap (`--max-credits-total`), when this run is one panel of a fleet.
    let fleet: FleetLedger?
    private(set) var plan: [PlannedChange] = []
    /// Dry-run: the writes planned, in order, as data (what a plan file holds).
    private(set) var plannedWrites: [Write] = []
    /// Dry-run: the reads made for the script, with their answers (what `--bind reads` binds).
    private(set) var readAnswers: [ReadAnswer] = []
    private(set) var writesSent = 0
    /// Groups' state for this run, by type.
    private var states: [ObjectIdentifier: AnyObject] = [:]
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
        confirmer: (any WriteConfirmer)?, logger: Logger, now: @escaping @Sendable () -> Date,
        catalogue: APICatalogue = .standard, fleet: FleetLedger? = nil
    ) {
        self.fleet = fleet
        self.client = client
        self.grant = grant
        self.catalogue = catalogue
        self.mode = mode
        self.audit = audit
        self.identity = identity
        self.confirmer = confirmer
        self.logger = logger
        self.now = now
        self.ledger = CreditLedger(grant: grant)
    }

    var creditsMoved: Int { ledger.total }

    /// Lets the next statement run after a refusal ended the last one (REPL). The ledger,
    /// and so the caps already spent, stays.
    func clearStop() { stop = nil }

    /// Switches between modes mid-session (REPL). Entering dry-run starts a fresh plan;
    /// leaving it drops the planned writes from the groups' state, so reads see the panel again.
    func switchMode(to newMode: RunMode) {
        guard newMode != mode else { return }
        if newMode == .dryRun || mode == .dryRun {
            plan = []
            plannedWrites = []
            readAnswers = []
            states = [:]
        }
        mode = newMode
    }

    func state<State: AnyObject>(_ type: State.Type, make: () -> State) -> State {
        if let state = states[ObjectIdentifier(type)] as? State { return state }
        let state = make()
        states[ObjectIdentifier(type)] = state
        return state
    }

    func mergeCreditAccount(_ account: String, into other: String) { ledger.merge(account, into: other) }

    // MARK: Reads

    func read(_ read: Read) -> CallStep<PanelReply> {
        // The VM notices an interrupt within a thousand instructions, not at once: until it
        // does, every call after a stop fails the same way and nothing more is sent.
        if let stop { return .now(.failure(stop)) }
        if let function = read.function, !grant.allows(function) {
            return .now(.failure(refuseUnaudited(function, "\(function.rawValue) is not granted (grant it with --allow \(function.rawValue))")))
        }
        return .later(wait(for: read).then { [unowned self] reply in
            if mode == .dryRun, read.function != nil { readAnswers.append(ReadAnswer(read: read, reply: reply)) }
            return .success(reply)
        })
    }

    func readNow(_ read: Read) -> Result<PanelReply, ScriptFailure> {
        if let stop { return .failure(stop) }
        guard let scheduler else {
            return .failure(ScriptFailure(.invalid, endpoint: read.request.endpoint, detail: "no scheduler"))
        }
        return scheduler.waitInPlace(wait(for: read))
            ?? .failure(ScriptFailure(PanelError(.timeout, endpoint: read.request.endpoint, detail: "stopped while waiting for the panel")))
    }

    private func wait(for read: Read) -> PanelWait<PanelReply> {
        let client = self.client
        let request = read.request
        return PanelWait(kind: .read, endpoint: request.endpoint) {
            do throws(PanelError) {
                return .success(.reply(try await client.perform(request)))
            } catch {
                return .failure(error)
            }
        } finish: { outcome in
            switch outcome {
            case .success(.reply(let reply)): .success(reply)
            case .success: .failure(ScriptFailure(PanelError(.malformedResponse, endpoint: request.endpoint)))
            case .failure(let error): .failure(ScriptFailure(error))
            }
        }
    }

    // MARK: Writes

    func perform(_ write: Write, observer: any WriteObserver) -> CallStep<PanelReply> {
        if let stop { return .now(.failure(stop)) }
        guard grant.allows(write.function) else {
            let failure = ScriptFailure(
                .notGranted, endpoint: write.endpoint,
                detail: "\(write.function.rawValue) is not granted (grant it with --allow \(write.function.rawValue)); nothing was sent")
            return .now(refuse(write, failure))
        }
        do {
            try ledger.check(write.credits.change, reseller: write.credits.account)
        } catch {
            let failure = ScriptFailure(.creditCap, endpoint: write.endpoint, detail: "\(error); nothing was sent")
            return .now(refuse(write, failure))
        }
        // The fleet's share is reserved last, once this run's own caps passed: from here on,
        // every path that does not move the credits gives it back.
        do {
            try fleet?.reserve(write.credits.change)
        } catch {
            let failure = ScriptFailure(.creditCap, endpoint: write.endpoint, detail: "\(error); nothing was sent")
            return .now(refuse(write, failure))
        }
        switch mode {
        case .dryRun:
            return .now(planWrite(write, observer: observer))
        case .confirm:
            if !(confirmer?.confirm(PlannedChange(write)) ?? false) {
                fleet?.release(write.credits.change)
                let failure = ScriptFailure(.declined, endpoint: write.endpoint, detail: "the operator said no; nothing was sent")
                return .now(record(write, failure, outcome: AuditOutcome.declined))
            }
            return send(write, observer: observer)
        case .live:
            return send(write, observer: observer)
        }
    }

    func fail(_ write: Write, _ failure: ScriptFailure) -> CallStep<PanelReply> {
        if let stop { return .now(.failure(stop)) }
        return .now(record(write, failure, outcome: AuditOutcome.failed))
    }

    private func planWrite(_ write: Write, observer: any WriteObserver) -> Result<PanelReply, ScriptFailure> {
        // Refuse what the panel would refuse, so the plan is what a live run would do.
        let body: JSONValue
        switch observer.simulate(write) {
        case .refused(let words):
            fleet?.release(write.credits.change)
            let failure = ScriptFailure(
                .panel(.refused), endpoint: write.endpoint, detail: "\(words) (dry-run: the panel would refuse this)",
                panelMessage: words)
            return record(write, failure, outcome: AuditOutcome.failed)
        case .accepted(let answer):
            body = answer
        }
        ledger.commit(write.credits.change, reseller: write.credits.account)
        guard record(write, outcome: AuditOutcome.planned, answer: "not sent (dry-run)") != nil else {
            fleet?.release(write.credits.change)
            return .failure(auditFailure(write.endpoint))
        }
        let reply = PanelReply(body: body)
        observer.applied(write, reply: reply)
        plan.append(PlannedChange(write))
        plannedWrites.append(write)
        return .success(reply)
    }

    private func send(_ write: Write, observer: any WriteObserver) -> CallStep<PanelReply> {
        guard let row = record(write, outcome: AuditOutcome.unknown, answer: nil) else {
            fleet?.release(write.credits.change)
            return .now(.failure(auditFailure(write.endpoint)))
        }
        // Reserved before sending: credits whose fate is unknown stay counted, and writes
        // made meanwhile by other tasks are measured against them.
        ledger.commit(write.credits.change, reseller: write.credits.account)
        let client = self.client
        let request = write.request
        writesSent += 1
        return .later(
            PanelWait(kind: .mutation, endpoint: write.endpoint) {
                do throws(PanelError) {
                    return .success(.reply(try await client.perform(request)))
                } catch {
                    return .failure(error)
                }
            } finish: { [unowned self] outcome in
                finishSend(write, observer: observer, row: row, outcome)
            })
    }

    /// A sent write's answer, on the script's thread: audit, the group told, and the
    /// reservation kept or released.
    private func finishSend(
        _ write: Write, observer: any WriteObserver, row: Int64, _ outcome: Result<PanelAnswer, PanelError>
    ) -> Result<PanelReply, ScriptFailure> {
        switch outcome {
        case .success(.reply(let reply)):
            complete(row, outcome: AuditOutcome.done, answer: String(decoding: JSONWriter.write(reply.body), as: UTF8.self))
            observer.applied(write, reply: reply)
            return .success(reply)
        case .success(.notification):
            let error = PanelError(.malformedResponse, endpoint: write.endpoint)
            complete(row, outcome: AuditOutcome.unknown, answer: error.description)
            return .failure(ScriptFailure(error))
        case .failure(let error):
            let failure = ScriptFailure(error)
            switch error.kind {
            case .notAuthorised, .ipNotAllowed, .refused, .transport, .invalidRequest:
                // Nothing was applied: the credits are free again.
                ledger.release(write.credits.change, reseller: write.credits.account)
                fleet?.release(write.credits.change)
                complete(row, outcome: AuditOutcome.failed, answer: failure.message)
            default:
                complete(row, outcome: AuditOutcome.unknown, answer: failure.message)
            }
            if failure.endsRun { stopRun(failure) }
            return .failure(failure)
        }
    }

    // MARK: Refusals and audit

    /// Audits a refused write and ends the run (pcall cannot catch a refusal).
    private func refuse(_ write: Write, _ failure: ScriptFailure) -> Result<PanelReply, ScriptFailure> {
        let result = record(write, failure, outcome: AuditOutcome.refused)
        stopRun(failure)
        return result
    }

    private func refuseUnaudited(_ function: APIFunction, _ detail: String) -> ScriptFailure {
        let failure = ScriptFailure(.notGranted, endpoint: function.rawValue, detail: detail)
        stopRun(failure)
        return failure
    }

    /// Audits a write that was not sent, with `failure` as its answer.
    private func record(_ write: Write, _ failure: ScriptFailure, outcome: String) -> Result<PanelReply, ScriptFailure> {
        guard record(write, outcome: outcome, answer: failure.message) != nil else {
            return .failure(auditFailure(write.endpoint))
        }
        return .failure(failure)
    }

    private func record(_ write: Write, outcome: String, answer: String?) -> Int64? {
        guard audit != nil else { return -1 }
        return recordEntry(
            endpoint: write.endpoint, target: write.targetLabel,
            parameters: client.configuration.apiKey.redact(write.request.redactedDescription), outcome: outcome,
            answer: answer.map(client.configuration.apiKey.redact), creditChange: write.credits.change,
            creditsBefore: write.credits.before, creditsAfter: write.credits.after, location: write.location)
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
            creditsAfter: creditsAfter, location: location, panel: identity.panel)
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
}
