import PanelAPI

/// One write to the panel, as data before it is an HTTP request: what a run checks against
/// its grant and caps, plans in a dry-run, records in the audit log and sends. It knows its
/// endpoint, its form, what it changes and how it moves credits, and nothing of any one
/// group: what a group knows beyond that (the reseller names in plans, the dry-run's view of
/// the resellers) the group adds through the fields here and its ``WriteObserver``.
public struct Write: Sendable {
    /// The function that made it, as grants name it (`resellers.add_credits`, `lines.extend`).
    public var function: APIFunction
    /// The request: endpoint and form parameters, exactly as they are sent.
    public var request: PanelRequest
    /// What it changes, as the call named it; nil when it names nothing (a new reseller).
    public var target: WriteTarget?
    /// How plans and the audit log name what it changes: `alice (id 5)`, `id 42`.
    public var targetLabel: String
    /// Its effect on credits.
    public var credits: CreditEffect
    /// Other fields it changes, as plans show them: `max_allowed_connections 5 -> 10`.
    public var fieldChanges: [String]
    /// What must still hold, when the write is sent later (an approved plan), for its outcome
    /// to be the one planned. Empty for a write whose effect depends on nothing it read.
    public var preconditions: [Precondition]
    /// The script or module line that made it (`topup.lua:33`).
    public var location: String?
    /// How plans, errors and the audit log name the endpoint: the function's name
    /// (`lines.extend`), or the panel's `group.action` for `panel.call`.
    public var endpoint: String
    /// Why the write, planned in a dry-run, could not be sent later exactly as planned (it
    /// names a record by an id the dry-run made up); nil for every write that can.
    public var replayNote: String?

    /// Creates a write; `endpoint` defaults to the function's name.
    public init(
        function: APIFunction, request: PanelRequest, target: WriteTarget?, targetLabel: String,
        credits: CreditEffect = .none, fieldChanges: [String] = [], preconditions: [Precondition] = [],
        location: String? = nil, endpoint: String? = nil
    ) {
        self.endpoint = endpoint ?? function.rawValue
        self.function = function
        self.request = request
        self.target = target
        self.targetLabel = targetLabel
        self.credits = credits
        self.fieldChanges = fieldChanges
        self.preconditions = preconditions
        self.location = location
    }
}

/// What a write changes, as the call named it: the target parameter and its value.
public struct WriteTarget: Sendable, Hashable, CustomStringConvertible {
    /// The parameter (`id`, `username`).
    public var param: String
    /// Its value, as text (`5`, `bob`).
    public var value: String

    /// Creates one.
    public init(param: String, value: String) {
        self.param = param
        self.value = value
    }

    /// `id 5`, `username "bob"`.
    public var description: String {
        Int(value) != nil ? "\(param) \(value)" : "\(param) \"\(value)\""
    }
}

/// A write's effect on credits: the change the caps count, and the balance before and after
/// when the group knows it.
public struct CreditEffect: Sendable, Hashable {
    /// The change, signed (credits given are positive). The caps count its absolute value.
    public var change: Int
    /// The target's balance before the write, when known.
    public var before: Int?
    /// The target's balance after the write, when known.
    public var after: Int?
    /// The account the change counts against for the per-target cap
    /// (`--max-credits-per-reseller`): `id:5` for a reseller, `lines.extend:42` for a declared
    /// endpoint's target.
    public var account: String

    /// Creates an effect.
    public init(change: Int, before: Int? = nil, after: Int? = nil, account: String) {
        self.change = change
        self.before = before
        self.after = after
        self.account = account
    }

    /// No credits move.
    public static let none = CreditEffect(change: 0, account: "")
}

/// One read of the panel: sent in every mode, never audited, retried on failure.
public struct Read: Sendable {
    /// The function the script called, whose grant the read needs; nil for a read the run
    /// makes itself on behalf of a granted write (a balance the write is measured against).
    public var function: APIFunction?
    /// The request.
    public var request: PanelRequest

    /// Creates a read.
    public init(function: APIFunction?, request: PanelRequest) {
        self.function = function
        self.request = request
    }
}

/// A read a dry-run made for the script, and the panel's answer: what `--bind reads`
/// binds a plan to.
public struct ReadAnswer: Sendable {
    /// The read.
    public var read: Read
    /// The panel's answer.
    public var reply: PanelReply

    /// Creates one.
    public init(read: Read, reply: PanelReply) {
        self.read = read
        self.reply = reply
    }
}

/// What a group does around its own writes: the dry-run's stand-in for the panel, and what
/// it learns once a write is applied (or planned). Used on the run's thread only.
public protocol WriteObserver: AnyObject {
    /// A dry-run's answer for `write`: the panel's refusal it can foresee (so the plan is
    /// what a live run would do), or the body a live panel would answer with.
    func simulate(_ write: Write) -> SimulatedAnswer
    /// Called once `write` is applied (live, confirm) or planned (dry-run), with the reply.
    func applied(_ write: Write, reply: PanelReply)
}

/// A dry-run's stand-in for the panel's answer to one write.
public enum SimulatedAnswer: Sendable {
    /// The panel would accept it and answer with this body.
    case accepted(JSONValue)
    /// The panel would refuse it with these words (`NOT EXISTS`).
    case refused(String)
}

/// The observer of writes whose group keeps nothing: every write would be accepted with
/// `{"result": true}`.
public final class PlainWrites: WriteObserver, Sendable {
    /// The one instance.
    public static let shared = PlainWrites()
    public func simulate(_ write: Write) -> SimulatedAnswer { .accepted(.object(["result": .bool(true)])) }
    public func applied(_ write: Write, reply: PanelReply) {}
}

/// Something a write's planned outcome depends on: a field of a record the run read. A plan
/// applied later re-reads the records and refuses when one no longer holds
/// (`zenhub7 (id 7): credits were 418 when planned, now 668`).
public struct Precondition: Sendable, Hashable {
    /// What must hold of the record.
    public enum Expectation: Sendable, Hashable {
        /// It exists.
        case exists
        /// It does not exist (a name a new record takes).
        case absent
        /// Its field has this value (compared as text, as the panel may send numbers as strings).
        case equals(field: String, value: String)
    }

    /// The function whose answer holds the records (`resellers.list`).
    public var source: APIFunction
    /// The field that picks the record and its value (`id` = `7`).
    public var record: WriteTarget
    /// What must hold.
    public var expectation: Expectation

    /// Creates one.
    public init(source: APIFunction, record: WriteTarget, expectation: Expectation) {
        self.source = source
        self.record = record
        self.expectation = expectation
    }
}
