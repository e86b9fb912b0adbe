import LuaHost
import NightshiftConfig

/// One function of the script API, declared once: its name (the Lua path and the grant's
/// name), whether it reads or writes and what it does to credits, its arguments, its
/// LuaLS signature, a line of documentation, and the host code that runs it.
///
/// Registration, `--allow` validation and help, `nightshift check`'s scan, `nightshift
/// types` and the API table in docs/scripting.md all derive from entries.
public struct APIEntry: Sendable {
    /// What a call may change.
    public enum Effect: Sendable, Equatable {
        /// Reads only.
        case read
        /// Writes; `credits` says how it can move credits (capped by the grant).
        case write(credits: Credits)
    }

    /// How a write moves credits.
    public enum Credits: String, Sendable, Equatable {
        /// It moves none.
        case none
        /// It adds (or, negative, takes) an amount.
        case adds
        /// It sets a balance (the change is measured against the panel's value).
        case sets
        /// A new reseller starts with an amount.
        case starts
        /// Unknown to Nightshift (a generic endpoint): treated as a write that moves none.
        case unknown
    }

    /// One argument, for signatures and documentation.
    public struct Argument: Sendable, Equatable {
        /// Its name in signatures.
        public var name: String
        /// Its LuaLS type (`integer|string`).
        public var type: String
        /// Whether it may be left out.
        public var optional: Bool

        public init(_ name: String, _ type: String, optional: Bool = false) {
            self.name = name
            self.type = type
            self.optional = optional
        }
    }

    /// What the host code receives: the call's arguments and the run's panel.
    package struct Call {
        package let args: LuaArguments
        package let panel: any RunPanel

        /// Creates a call.
        package init(args: LuaArguments, panel: any RunPanel) {
            self.args = args
            self.panel = panel
        }

        /// The script or module line that made the call (past the prelude's wrappers).
        package var location: String? { args.callerLocation(skipping: Prelude.chunkName) }
    }

    /// `group.function`, as scripts call it and grants name it.
    public let function: APIFunction
    public let effect: Effect
    public let arguments: [Argument]
    /// The LuaLS return type.
    public let returns: String
    /// One line of documentation.
    public let summary: String
    /// LuaLS class definitions its signature needs (`nightshift.Reseller`), if any.
    public let types: String
    /// The panel endpoint it calls, declared as nightshift.toml's `[[endpoints]]` are; nil for
    /// functions that are not one endpoint (`panel.call`, `notify.send`).
    public let endpoint: EndpointDeclaration?
    package let handler: @Sendable (Call) throws -> CallStep<LuaValue>

    package init(
        _ name: String, _ effect: Effect, arguments: [Argument], returns: String, summary: String, types: String = "",
        endpoint: EndpointDeclaration? = nil, handler: @escaping @Sendable (Call) throws -> CallStep<LuaValue>
    ) {
        self.function = APIFunction(rawValue: name)
        self.effect = effect
        self.arguments = arguments
        self.returns = returns
        self.summary = summary
        self.types = types
        self.endpoint = endpoint
        self.handler = handler
    }

    /// A panel endpoint's function with its own Lua arguments and host code (the built-in
    /// groups): the name, effect and summary come from the declaration.
    package init(
        _ endpoint: EndpointDeclaration, arguments: [Argument], returns: String, types: String = "",
        handler: @escaping @Sendable (Call) throws -> CallStep<LuaValue>
    ) {
        self.init(
            endpoint.name, endpoint.effect, arguments: arguments, returns: returns, summary: endpoint.doc, types: types,
            endpoint: endpoint, handler: handler)
    }

    /// Whether it only reads.
    public var isRead: Bool { effect == .read }

    /// `resellers.add_credits(target, credits?)`.
    public var signature: String {
        "\(function.rawValue)(" + arguments.map { $0.name + ($0.optional ? "?" : "") }.joined(separator: ", ") + ")"
    }

    /// The LuaLS definition of the function.
    package var typeDefinition: String {
        var lines = ["---" + summary]
        for argument in arguments { lines.append("---@param \(argument.name) \(argument.type)\(argument.optional ? "?" : "")") }
        lines.append("---@return \(returns)")
        lines.append("function \(function.rawValue)(\(arguments.map(\.name).joined(separator: ", "))) end")
        return lines.joined(separator: "\n")
    }
}

/// A table of functions scripts see as one global (`resellers`).
public struct APIGroup: Sendable {
    /// The global's name.
    public let name: String
    /// One line of documentation.
    public let summary: String
    public let entries: [APIEntry]
    /// Whether grants name the group's targets (`notify.alerts`) rather than its functions:
    /// calling any of its functions needs the grant of the target it names.
    public let grantsTargets: Bool

    package init(_ name: String, summary: String, grantsTargets: Bool = false, entries: [APIEntry]) {
        self.name = name
        self.summary = summary
        self.grantsTargets = grantsTargets
        self.entries = entries
    }
}

extension EndpointDeclaration {
    /// What a call of the endpoint may change, as the catalogue says it.
    public var effect: APIEntry.Effect {
        guard kind == .write else { return .read }
        switch credits?.measure {
        case nil: return .write(credits: .none)
        case .adds?: return .write(credits: .adds)
        case .sets?: return .write(credits: .sets)
        case .starts?: return .write(credits: .starts)
        }
    }
}
