/// A panel endpoint the script API offers: its Lua name (also the grant's name), the panel's
/// path, whether it reads or writes, the parameter that names what it changes, how it moves
/// credits, the parameters it requires and a line of documentation.
///
/// The built-in `resellers.*` group declares its endpoints in Swift; an operator declares
/// more in nightshift.toml (`[[endpoints]]`, docs/configuration.md). A declared endpoint
/// gets everything a built-in one has: a function, a grant, checked arguments, a plan entry
/// in dry-run, credit caps, an audit row, LuaLS types and a place in `check`.
public struct EndpointDeclaration: Sendable, Hashable {
    /// Whether the endpoint changes the panel.
    public enum Kind: String, Sendable, Hashable {
        /// Changes nothing: sent in dry-run too, and may be retried.
        case read
        /// Changes the panel: planned in dry-run, audited, never retried.
        case write
    }

    /// How a write moves credits: the amount of one of its parameters, with a sign.
    public struct CreditMove: Sendable, Hashable {
        /// What the amount is.
        public enum Measure: String, Sendable, Hashable {
            /// A change, added to the target's balance (the only measure nightshift.toml declares).
            case adds
            /// The new balance: the change is measured against the panel's (`resellers.update`).
            case sets
            /// A new record's starting balance (`resellers.new`).
            case starts
        }

        /// The parameter holding the amount (a whole number).
        public var param: String
        /// `1`: the amount is credits given to the target; `-1`: credits taken (or spent).
        public var sign: Int
        /// What the amount is.
        public var measure: Measure

        /// Creates one.
        public init(param: String, sign: Int, measure: Measure = .adds) {
            self.param = param
            self.sign = sign
            self.measure = measure
        }
    }

    /// `lines.extend`: the Lua function, `group.function`.
    public var name: String
    /// The panel's API group (`line` in `api/line/edit`).
    public var group: String
    /// The panel's action (`edit` in `api/line/edit`).
    public var action: String
    /// Read or write.
    public var kind: Kind
    /// The parameter that names what the call changes (`id`), if any.
    public var target: String?
    /// How the call moves credits, if it does.
    public var credits: CreditMove?
    /// Parameters a call must give.
    public var required: [String]
    /// One line of documentation.
    public var doc: String

    /// Creates a declaration for the panel path `api/<group>/<action>`.
    public init(
        name: String, group: String, action: String, kind: Kind, target: String? = nil, credits: CreditMove? = nil,
        required: [String] = [], doc: String
    ) {
        self.name = name
        self.group = group
        self.action = action
        self.kind = kind
        self.target = target
        self.credits = credits
        self.required = required
        self.doc = doc
    }

    /// `api/line/edit`.
    public var path: String { "api/\(group)/\(action)" }

    /// The Lua table the function is in (`lines`).
    public var luaGroup: Substring { name.split(separator: ".").first ?? "" }
}
