/// A script API function as grants, declarations and `--allow` name it: `resellers.add_credits`.
///
/// Which names exist, and what each does, is the ``APICatalogue``'s to say; this is only the
/// name. The constants are the standard catalogue's functions, for code that names one.
public struct APIFunction: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The dotted name, `group.function`.
    public let rawValue: String

    /// A name (not checked: ``APICatalogue/function(named:)`` says whether it exists).
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `resellers.list()`: reads every reseller.
    public static let resellersList = APIFunction(rawValue: "resellers.list")
    /// `resellers.new{...}`: creates a reseller (and may give it credits).
    public static let resellersNew = APIFunction(rawValue: "resellers.new")
    /// `resellers.update(...)`: changes a reseller's fields (credits included).
    public static let resellersUpdate = APIFunction(rawValue: "resellers.update")
    /// `resellers.add_credits(...)`: adds (or, negative, takes) credits.
    public static let resellersAddCredits = APIFunction(rawValue: "resellers.add_credits")
    /// `panel.call(group, action, params)`: any other endpoint, always treated as a write.
    public static let panelCall = APIFunction(rawValue: "panel.call")

    /// The group, the part before the dot (`resellers`).
    public var group: Substring { rawValue.split(separator: ".").first ?? "" }

    /// Functions a grant gives when none is named: the standard catalogue's reads.
    public static var readsOnly: Set<APIFunction> { APICatalogue.standard.reads }

    /// Orders by name.
    public static func < (lhs: APIFunction, rhs: APIFunction) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { rawValue }
}
