import LuaHost
import PanelAPI

/// A failed API call as scripts see it: a Lua table with `kind`, `message` and `endpoint`
/// (and `panel_message` when the panel gave its words), whose `tostring` is the message.
public struct ScriptFailure: Error, Sendable, Equatable, CustomStringConvertible, LuaRaisable {
    /// Failure kinds that are not panel errors (panel errors use ``PanelError/Kind`` words).
    public enum Kind: Sendable, Equatable {
        /// The panel's own failure (`panel refused`, `outcome unknown`, ...).
        case panel(PanelError.Kind)
        /// The grant does not allow the function.
        case notGranted
        /// A credit cap would be passed.
        case creditCap
        /// The operator answered no in confirm mode.
        case declined
        /// The request is wrong before anything is sent (bad credits amount, unknown reseller).
        case invalid
        /// A notification target refused the message or could not be reached.
        case notifyFailed

        /// The word scripts compare against (`err.kind == "not granted"`).
        public var word: String {
            switch self {
            case .panel(let kind): kind.rawValue
            case .notGranted: "not granted"
            case .creditCap: "credit cap"
            case .declined: "declined"
            case .invalid: "invalid request"
            case .notifyFailed: "notify failed"
            }
        }
    }

    /// What went wrong.
    public var kind: Kind
    /// The endpoint, as `resellers.add_credits`.
    public var endpoint: String
    /// The readable message, starting with the endpoint.
    public var message: String
    /// The panel's own words, when it gave any.
    public var panelMessage: String?

    /// Creates a failure; `detail` is appended to `endpoint: kind`.
    public init(_ kind: Kind, endpoint: String, detail: String, panelMessage: String? = nil) {
        self.kind = kind
        self.endpoint = endpoint
        self.message = "\(endpoint): \(kind.word): \(detail)"
        self.panelMessage = panelMessage
    }

    /// Wraps a panel error, keeping its words.
    public init(_ error: PanelError) {
        kind = .panel(error.kind)
        endpoint = error.endpoint
        message = error.description
        panelMessage = error.panelMessage
    }

    /// Whether a refusal or failure of this kind ends the run (pcall cannot catch it).
    public var endsRun: Bool {
        switch kind {
        case .notGranted, .creditCap, .panel(.outcomeUnknown): true
        default: false
        }
    }

    /// The message.
    public var description: String { message }

    /// Raised as ``luaValue``.
    public func luaErrorValue() -> LuaValue { luaValue }

    /// The table scripts receive (raised, it gets a `__tostring` that gives the message).
    public var luaValue: LuaValue {
        var table = LuaTable()
        table["kind"] = .string(LuaString(kind.word))
        table["message"] = .string(LuaString(message))
        table["endpoint"] = .string(LuaString(endpoint))
        if let panelMessage { table["panel_message"] = .string(LuaString(panelMessage)) }
        return .table(table)
    }
}
