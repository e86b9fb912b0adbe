import PanelAPI

/// The reseller group's part of one run: its view of the resellers (the panel's list, with
/// the run's writes laid over it), what its writes are measured against, and the dry-run's
/// stand-in for the panel. The write path knows none of this: it sees the group's writes
/// through ``WriteObserver``.
package final class ResellerState: WriteObserver {
    private(set) var view: ResellerView
    /// The run's panel, which keeps this state for the run.
    private unowned let panel: any RunPanel

    private init(panel: any RunPanel) {
        self.panel = panel
        view = ResellerView(keepsOverlay: panel.mode == .dryRun)
    }

    /// The run's reseller state, made on first use.
    package static func of(_ panel: any RunPanel) -> ResellerState {
        panel.state(ResellerState.self) { ResellerState(panel: panel) }
    }

    /// Takes the panel's list into the view.
    package func take(_ reply: PanelReply) -> Result<Void, ScriptFailure> {
        do throws(PanelError) {
            view.refresh(try Reseller.list(from: reply, endpoint: PanelRequest.resellersList().endpoint))
            return .success(())
        } catch {
            return .failure(ScriptFailure(error))
        }
    }

    /// Completes `draft` against the view and hands it to the panel.
    ///
    /// The view is read first (waiting in place) when the write needs it: in dry-run and
    /// confirm, so the plan shows credits before and after; when `measures` (a `set` of
    /// credits, measured against the panel's balance); and, with a per-reseller cap, to learn
    /// the id a username stands for. An ungranted write is refused before anything is read.
    /// - Parameter complete: fills in the write's credit effect, label details and
    ///   preconditions from the view, or says why it cannot be made (audited, not sent).
    package func perform(
        _ draft: Write, measures: Bool = false,
        complete: (inout Write, inout ResellerView) -> ScriptFailure?
    ) -> CallStep<PanelReply> {
        guard panel.grant.allows(draft.function) else { return panel.perform(draft, observer: self) }
        let byName: Bool = { if case .username? = draft.target.flatMap(ResellerRef.init) { return true }; return false }()
        let needsView = panel.mode != .live || measures || (panel.grant.maxCreditsPerReseller != nil && byName && !view.fetched)
        if needsView, measures || !view.fetched {
            let read = panel.readNow(Read(function: nil, request: .resellersList())).flatMap(take)
            if case .failure(let error) = read {
                return panel.fail(
                    draft,
                    ScriptFailure(
                        error.kind, endpoint: draft.endpoint,
                        detail: "cannot read the reseller's current credits (\(error.message)); nothing was sent"))
            }
        }
        var write = draft
        if let failure = complete(&write, &view) { return panel.fail(write, failure) }
        // A reseller a planned `new` creates: by username, the plan creates it before this
        // write, so nothing of it can be checked in the panel first; by the id the dry-run
        // made up, a plan cannot send it at all.
        switch write.target.flatMap(ResellerRef.init) {
        case .username(let name)? where plannedNames.contains(name):
            write.preconditions = []
        case .id(let id)? where plannedIDs.contains(id):
            write.replayNote =
                "it names the reseller a planned resellers.new creates by the id the dry-run made up (\(id)); only the panel gives the real id, so name it by username"
        default:
            break
        }
        // Named by both username and id, when the view knows them.
        if let target = write.target.flatMap(ResellerRef.init), let row = view.row(target),
            let name = (row["username"] ?? row["name"])?.looseString, let id = row["id"]?.looseInt
        {
            write.targetLabel = "\(name) (id \(id))"
        }
        return panel.perform(write, observer: self)
    }

    // MARK: WriteObserver

    package func simulate(_ write: Write) -> SimulatedAnswer {
        switch write.function {
        case .resellersNew:
            if case .new(let row)? = ResellerView.Change(write, createdID: nil), let name = row["username"]?.looseString,
                view.exists(username: name)
            {
                return .refused("EXISTS")
            }
            return .accepted(.object(["result": .bool(true), "created_id": .int(view.nextPlannedID)]))
        case .resellersAddCredits, .resellersUpdate:
            guard let target = write.target.flatMap(ResellerRef.init), view.index(of: target) != nil else {
                return .refused("NOT EXISTS")
            }
            if let after = write.credits.after, after < 0 {
                return .refused(write.function == .resellersAddCredits ? "NOT ENOUGH CREDITS" : "PARAMETER ERROR (credits)")
            }
        default:
            break
        }
        return .accepted(.object(["result": .bool(true)]))
    }

    /// Dry-run: usernames and ids of the resellers the run's planned `new`s would create.
    private var plannedNames = Set<String>()
    private var plannedIDs = Set<Int>()

    package func applied(_ write: Write, reply: PanelReply) {
        guard let change = ResellerView.Change(write, createdID: reply.createdID) else { return }
        if panel.mode == .dryRun, case .new(let row) = change {
            if let name = row["username"]?.looseString { plannedNames.insert(name) }
            if let id = row["id"]?.looseInt { plannedIDs.insert(id) }
        }
        // A new reseller's credits count under its id once it has one.
        if case .new(let row) = change, let id = row["id"]?.looseInt { panel.mergeCreditAccount(write.credits.account, into: "id:\(id)") }
        view.record(change)
    }
}

extension ResellerView {
    /// The per-reseller cap's account: the reseller's id when the view knows it.
    package mutating func account(_ target: ResellerRef) -> String {
        if let id = id(of: target) { return "id:\(id)" }
        if case .username(let name) = target { return "username:" + name }
        return "?"
    }

    /// The row of `target`, if the view has it.
    package mutating func row(_ target: ResellerRef) -> JSONObject? { index(of: target).map { rows[$0] } }

    /// A write to `target` needs it to exist.
    package func exists(_ target: ResellerRef) -> [Precondition] {
        [Precondition(source: .resellersList, record: target.writeTarget, expectation: .exists)]
    }

    /// A write measured from `credits` needs the same balance.
    package func credits(_ target: ResellerRef, equal credits: Int) -> [Precondition] {
        [Precondition(source: .resellersList, record: target.writeTarget, expectation: .equals(field: "credits", value: String(credits)))]
    }
}

extension ResellerRef {
    /// A write's target naming a reseller (`id`, or `username`).
    package init?(_ target: WriteTarget) {
        switch target.param {
        case "id":
            guard let id = Int(target.value) else { return nil }
            self = .id(id)
        case "username": self = .username(target.value)
        default: return nil
        }
    }

    /// This reseller as a write's target.
    package var writeTarget: WriteTarget {
        switch self {
        case .id(let id): WriteTarget(param: "id", value: String(id))
        case .username(let name): WriteTarget(param: "username", value: name)
        }
    }
}
