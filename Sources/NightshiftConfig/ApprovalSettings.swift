import Foundation
import TOMLKit

/// `[approvals]` of nightshift.toml: who may approve a plan, by name and Ed25519 public
/// key, how many approvals a plan needs before `nightshift apply` sends it, and whether
/// its author may be one of them (docs/plans.md).
///
/// ```toml
/// [approvals]
/// required = 1
/// self_approval = false
/// console_approvals = true
/// approvers = [
///   { name = "bob", key = "Qm9iJ3MgcHVibGljIGtleSwgMzIgYnl0ZXMgbG9uZyE=" },
/// ]
/// ```
public struct ApprovalSettings: Sendable, Equatable {
    /// One approver.
    public struct Approver: Sendable, Equatable {
        /// The name approvals are made under (`--as`, the key's name).
        public var name: String
        /// The raw 32-byte Ed25519 public key.
        public var publicKey: [UInt8]

        /// Creates one.
        public init(name: String, publicKey: [UInt8]) {
            self.name = name
            self.publicKey = publicKey
        }
    }

    /// The approvers, in file order; names are unique.
    public var approvers: [Approver]
    /// Approvals by distinct approvers a plan needs (default 0).
    public var required: Int
    /// Whether a plan's author may approve it (default no).
    public var selfApproval: Bool
    /// Whether approvals given in the console count (default yes): they are recorded in
    /// the audit log and tied to the console user, who must be a listed approver by name,
    /// but carry no signature (docs/plans.md says what each kind proves).
    public var consoleApprovals: Bool

    /// No approver, no approval needed.
    public init(approvers: [Approver] = [], required: Int = 0, selfApproval: Bool = false, consoleApprovals: Bool = true) {
        self.approvers = approvers
        self.required = required
        self.selfApproval = selfApproval
        self.consoleApprovals = consoleApprovals
    }

    /// The approver named `name`, if listed.
    public func approver(_ name: String) -> Approver? { approvers.first { $0.name == name } }

    static func parse(_ value: any TOMLValueConvertible, fileName: String) throws(NightshiftConfiguration.Failure)
        -> ApprovalSettings
    {
        typealias Failure = NightshiftConfiguration.Failure
        let context = "\(fileName): [approvals]"
        guard let table = value.table else { throw Failure("\(context) must be a table") }
        try NightshiftConfiguration.reject(table, known: ["required", "self_approval", "console_approvals", "approvers"], context: context)
        var settings = ApprovalSettings()
        if let required = table["required"] {
            guard let number = required.int, number >= 0 else {
                throw Failure("\(context) required must be a whole number of approvals, 0 or more")
            }
            settings.required = number
        }
        if let flag = table["self_approval"] {
            guard let value = flag.bool else { throw Failure("\(context) self_approval must be true or false") }
            settings.selfApproval = value
        }
        if let flag = table["console_approvals"] {
            guard let value = flag.bool else { throw Failure("\(context) console_approvals must be true or false") }
            settings.consoleApprovals = value
        }
        if let list = table["approvers"] {
            guard let items = list.array else {
                throw Failure("\(context) approvers must be a list such as [{ name = \"bob\", key = \"BASE64\" }]")
            }
            for item in items {
                guard let entry = item.table, let name = entry["name"]?.string, !name.isEmpty, let key = entry["key"]?.string,
                    entry.keys.allSatisfy({ $0 == "name" || $0 == "key" })
                else {
                    throw Failure("\(context) each approver is { name = \"bob\", key = \"BASE64\" } (nightshift keys new NAME prints it)")
                }
                guard let raw = Data(base64Encoded: key), raw.count == 32 else {
                    throw Failure("\(context) \(name)'s key is not a base64 Ed25519 public key (32 bytes); nightshift keys new NAME prints one")
                }
                guard settings.approver(name) == nil else { throw Failure("\(context) \(name) is listed twice") }
                settings.approvers.append(Approver(name: name, publicKey: Array(raw)))
            }
        }
        if settings.required > settings.approvers.count {
            throw Failure(
                "\(context) required = \(settings.required) but only \(settings.approvers.count) approver\(settings.approvers.count == 1 ? " is" : "s are") listed: no plan could ever be applied")
        }
        return settings
    }
}
