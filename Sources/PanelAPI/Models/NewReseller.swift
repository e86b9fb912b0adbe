/// The data for `resellers/new`: `name` is required, the rest optional.
public struct NewReseller: Sendable, Hashable {
    /// The reseller's name (login).
    public var name: String
    /// `max_allowed_connections`.
    public var maxAllowedConnections: Int?
    /// `use_credits`: whether the reseller pays with credits.
    public var useCredits: Bool?
    /// Starting `credits`.
    public var credits: Int?
    /// Further `data[...]` fields some panels accept, appended after the documented ones.
    public var extra: FormMap

    /// Creates the data for a new reseller.
    public init(
        name: String, maxAllowedConnections: Int? = nil, useCredits: Bool? = nil, credits: Int? = nil,
        extra: FormMap = [:]
    ) {
        self.name = name
        self.maxAllowedConnections = maxAllowedConnections
        self.useCredits = useCredits
        self.credits = credits
        self.extra = extra
    }

    /// The `data` array in the vendor's order: name, max_allowed_connections, use_credits, credits.
    public var data: FormMap {
        var data: FormMap = ["name": .string(name)]
        if let maxAllowedConnections { data["max_allowed_connections"] = .int(maxAllowedConnections) }
        if let useCredits { data["use_credits"] = .bool(useCredits) }
        if let credits { data["credits"] = .int(credits) }
        for (key, value) in extra.entries where data[key] == nil { data[key] = value }
        return data
    }
}
