/// Which reseller a call is about: the panel accepts either its numeric id or its username.
public enum ResellerRef: Sendable, Hashable, CustomStringConvertible {
    /// By numeric id (sent as `id=N`).
    case id(Int)
    /// By username (sent as `username=NAME`).
    case username(String)

    /// The request field naming the reseller.
    public var field: (key: String, value: FormValue) {
        switch self {
        case .id(let id): ("id", .int(id))
        case .username(let name): ("username", .string(name))
        }
    }

    /// `id 42` or `username "bob"`, as error messages show it.
    public var description: String {
        switch self {
        case .id(let id): "id \(id)"
        case .username(let name): "username \"\(name)\""
        }
    }
}
