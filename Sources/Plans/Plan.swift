import PanelAPI
import ScriptAPI

/// A saved plan: the writes a dry-run would make, bound to what they were planned against,
/// for someone to review, approve and then apply exactly (docs/plans.md).
///
/// Everything here but ``approvals`` and ``rejections`` is covered by the ``digest``: a plan
/// changed after it was made no longer matches its digest, and one whose digest was changed
/// too no longer matches its signatures.
public struct Plan: Sendable, Equatable {
    /// The plan file's schema; a file of another version is refused.
    public static let schemaVersion = 1

    /// The single-use id: random, recorded when the plan is applied or rejected.
    public var id: String
    /// When it was made (ISO 8601, UTC).
    public var createdAt: String
    /// After this instant it can no longer be applied (ISO 8601, UTC).
    public var expiresAt: String
    /// Who made it (`--as NAME`, else the operating system's user).
    public var author: String
    /// The panel it was planned against.
    public var panel: Panel
    /// The script and the modules it loaded, by path and SHA-256.
    public var script: Content
    /// The modules the script required, in the order first loaded.
    public var modules: [Content]
    /// `--arg` pairs, in order.
    public var arguments: [Argument]
    /// The grant and caps the dry-run ran with (apply enforces the caps again).
    public var grant: GrantRecord
    /// What a write's outcome is bound to: the records its effect depends on (`writes`), or
    /// also every record the script read (`reads`).
    public var binding: Binding
    /// The writes, in the order the script made them.
    public var writes: [PlannedWrite]
    /// With ``Binding/reads``: what the script read, to be read again and compared.
    public var reads: [BoundRead]
    /// Signatures of approvers over ``digest``.
    public var approvals: [Approval]
    /// Rejections, with their reasons.
    public var rejections: [Rejection]
    /// `sha256:` and the hex SHA-256 of the plan's canonical encoding without the digest,
    /// approvals and rejections.
    public var digest: String

    /// What writes are bound to.
    public enum Binding: String, Sendable, Equatable {
        /// Each write's own preconditions: its target exists, and its balance is the one its
        /// effect was measured from.
        case writes
        /// Also every record the script read, so a decision made on any of them (a reseller
        /// left out because of its balance) is reviewed too.
        case reads
    }

    /// The panel: its URL and a fingerprint of the key, never the key.
    public struct Panel: Sendable, Equatable {
        /// The base URL, as the connection names it.
        public var url: String
        /// `sha256:` and the hex SHA-256 of the API key.
        public var keyFingerprint: String

        /// Creates one.
        public init(url: String, keyFingerprint: String) {
            self.url = url
            self.keyFingerprint = keyFingerprint
        }
    }

    /// A file and its SHA-256.
    public struct Content: Sendable, Equatable {
        /// The path, as given or as found.
        public var path: String
        /// Hex SHA-256 of its bytes.
        public var sha256: String

        /// Creates one.
        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }

    /// One `--arg key=value`.
    public struct Argument: Sendable, Equatable {
        /// The key.
        public var key: String
        /// The value.
        public var value: String

        /// Creates one.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The grant a plan was made with.
    public struct GrantRecord: Sendable, Equatable {
        /// The functions allowed, sorted.
        public var allow: [String]
        /// `--max-credits`.
        public var maxCredits: Int
        /// `--max-credits-per-reseller`, if given.
        public var maxCreditsPerReseller: Int?

        /// Creates one.
        public init(allow: [String], maxCredits: Int, maxCreditsPerReseller: Int?) {
            self.allow = allow
            self.maxCredits = maxCredits
            self.maxCreditsPerReseller = maxCreditsPerReseller
        }
    }

    /// One write of the plan: the request exactly as it will be sent, and what it does.
    public struct PlannedWrite: Sendable, Equatable {
        /// The function that made it (`resellers.add_credits`): the grant it needs.
        public var function: String
        /// How plans and the audit log name the endpoint.
        public var endpoint: String
        /// The panel's API group and action (`resellers`, `add_credits`).
        public var group: String
        /// The panel's action.
        public var action: String
        /// The form parameters, in order, exactly as sent.
        public var form: FormMap
        /// What it changes, as the call named it.
        public var target: WriteTarget?
        /// How a reviewer sees the target (`zenhub7 (id 7)`).
        public var label: String
        /// The credit change, and the balance before and after when known.
        public var creditChange: Int
        /// The target's balance when planned.
        public var creditsBefore: Int?
        /// The target's balance after, as planned.
        public var creditsAfter: Int?
        /// The account the per-reseller cap counts the change under.
        public var creditAccount: String
        /// Other fields it changes.
        public var fieldChanges: [String]
        /// What must still hold when it is sent.
        public var preconditions: [Precondition]
        /// The script line that made it.
        public var location: String?

        /// Creates one.
        public init(
            function: String, endpoint: String, group: String, action: String, form: FormMap, target: WriteTarget?,
            label: String, creditChange: Int, creditsBefore: Int?, creditsAfter: Int?, creditAccount: String,
            fieldChanges: [String], preconditions: [Precondition], location: String?
        ) {
            self.function = function
            self.endpoint = endpoint
            self.group = group
            self.action = action
            self.form = form
            self.target = target
            self.label = label
            self.creditChange = creditChange
            self.creditsBefore = creditsBefore
            self.creditsAfter = creditsAfter
            self.creditAccount = creditAccount
            self.fieldChanges = fieldChanges
            self.preconditions = preconditions
            self.location = location
        }

        /// The write as a run plans it.
        public init(_ write: Write) {
            self.init(
                function: write.function.rawValue, endpoint: write.endpoint, group: write.request.group,
                action: write.request.action, form: write.request.params, target: write.target, label: write.targetLabel,
                creditChange: write.credits.change, creditsBefore: write.credits.before, creditsAfter: write.credits.after,
                creditAccount: write.credits.account, fieldChanges: write.fieldChanges, preconditions: write.preconditions,
                location: write.location)
        }

        /// The request to send.
        public func request() throws(PanelError) -> PanelRequest {
            try PanelRequest(group: group, action: action, params: form, kind: .mutation)
        }
    }

    /// What the script read, bound with `--bind reads`.
    public struct BoundRead: Sendable, Equatable {
        /// The function that read (`resellers.list`).
        public var function: String
        /// The request's group, action and form, to send it again.
        public var group: String
        /// The request's action.
        public var action: String
        /// The request's form.
        public var form: FormMap
        /// The records it answered with, when the function lists records (resellers), keyed
        /// by their id: the fields a decision could rest on.
        public var records: [Record]?
        /// Otherwise the SHA-256 of its answer: any change in it is a difference.
        public var answerSHA256: String?

        /// Creates one.
        public init(
            function: String, group: String, action: String, form: FormMap, records: [Record]?, answerSHA256: String?
        ) {
            self.function = function
            self.group = group
            self.action = action
            self.form = form
            self.records = records
            self.answerSHA256 = answerSHA256
        }
    }

    /// A record as read: its id, a name to show, and the fields bound.
    public struct Record: Sendable, Equatable {
        /// The record's id.
        public var id: String
        /// How a reviewer knows it (`ultralive3`).
        public var name: String
        /// Bound fields, in a fixed order, as text.
        public var fields: [(key: String, value: String)]

        /// Creates one.
        public init(id: String, name: String, fields: [(key: String, value: String)]) {
            self.id = id
            self.name = name
            self.fields = fields
        }

        public static func == (lhs: Record, rhs: Record) -> Bool {
            lhs.id == rhs.id && lhs.name == rhs.name && lhs.fields.elementsEqual(rhs.fields) { $0 == $1 }
        }
    }

    /// One approval: an approver's Ed25519 signature over the plan's digest.
    public struct Approval: Sendable, Equatable {
        /// The approver's name, as `[approvals]` lists it.
        public var approver: String
        /// When it was given (ISO 8601, UTC).
        public var at: String
        /// Base64 of the Ed25519 signature over ``Plan/signedMessage``.
        public var signature: String

        /// Creates one.
        public init(approver: String, at: String, signature: String) {
            self.approver = approver
            self.at = at
            self.signature = signature
        }
    }

    /// One rejection.
    public struct Rejection: Sendable, Equatable {
        /// Who rejected it.
        public var by: String
        /// When (ISO 8601, UTC).
        public var at: String
        /// Why.
        public var reason: String

        /// Creates one.
        public init(by: String, at: String, reason: String) {
            self.by = by
            self.at = at
            self.reason = reason
        }
    }

    /// Credits the writes move in all, counted as caps count them (absolute changes).
    public var creditsMoved: Int { writes.reduce(0) { $0 + abs($1.creditChange) } }
    /// The sum of the signed changes.
    public var netCreditChange: Int { writes.reduce(0) { $0 + $1.creditChange } }
}
