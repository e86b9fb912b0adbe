/// A panel function a script can call, as grants and declarations name it.
public enum APIFunction: String, Sendable, Hashable, CaseIterable, Comparable {
    /// `resellers.list()`: reads every reseller.
    case resellersList = "resellers.list"
    /// `resellers.new{...}`: creates a reseller (and may give it credits).
    case resellersNew = "resellers.new"
    /// `resellers.update(...)`: changes a reseller's fields (credits included).
    case resellersUpdate = "resellers.update"
    /// `resellers.add_credits(...)`: adds (or, negative, takes) credits.
    case resellersAddCredits = "resellers.add_credits"
    /// `panel.call(group, action, params)`: any other endpoint, always treated as a write.
    case panelCall = "panel.call"

    /// Whether the function only reads.
    public var isRead: Bool { self == .resellersList }

    /// Functions a grant gives when none is named: reads only.
    public static let readsOnly: Set<APIFunction> = [.resellersList]

    /// Parses a name as the command line writes it: `resellers.add_credits`, `resellers.*`
    /// (every `resellers` function) or `all`.
    public static func parse(_ text: String) -> Set<APIFunction>? {
        switch text {
        case "all", "*": return Set(allCases)
        case "resellers.*": return Set(allCases.filter { $0.rawValue.hasPrefix("resellers.") })
        default: return APIFunction(rawValue: text).map { [$0] }
        }
    }

    /// Orders by name.
    public static func < (lhs: APIFunction, rhs: APIFunction) -> Bool { lhs.rawValue < rhs.rawValue }
}
