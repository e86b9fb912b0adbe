import PanelAPI

/// A reseller row as the emulator stores it.
public struct StoredReseller: Sendable, Hashable {
    /// Primary key.
    public var id: Int
    /// Login name, unique.
    public var username: String
    /// Credit balance.
    public var credits: Int
    /// Connection limit.
    public var maxAllowedConnections: Int
    /// Whether the reseller pays with credits.
    public var useCredits: Bool
    /// 1 enabled, 0 disabled.
    public var status: Int
    /// Fields the panel keeps that the documented API does not name, in order.
    public var extra: JSONObject

    /// Creates a row.
    public init(
        id: Int, username: String, credits: Int, maxAllowedConnections: Int, useCredits: Bool, status: Int,
        extra: JSONObject = JSONObject()
    ) {
        self.id = id
        self.username = username
        self.credits = credits
        self.maxAllowedConnections = maxAllowedConnections
        self.useCredits = useCredits
        self.status = status
        self.extra = extra
    }
}
