/// What the emulated panel accepts and how it behaves.
public struct EmulatorSettings: Sendable {
    /// The panel's API key.
    public var apiKey: String
    /// Caller addresses the panel answers; empty means loopback only (`127.0.0.1`, `::1`).
    public var allowedIPs: Set<String>
    /// How answers are phrased.
    public var dialect: ResponseDialect
    /// Injected faults.
    public var faults: FaultPlan
    /// Flood protection: past this many requests in one second (a sliding window), requests
    /// are answered HTTP 429 with `Retry-After: 1` before any change is made; nil for none.
    public var maxRequestsPerSecond: Int?

    /// Creates settings.
    public init(
        apiKey: String, allowedIPs: Set<String> = [], dialect: ResponseDialect = ResponseDialect(),
        faults: FaultPlan = FaultPlan(), maxRequestsPerSecond: Int? = nil
    ) {
        self.maxRequestsPerSecond = maxRequestsPerSecond
        self.apiKey = apiKey
        self.allowedIPs = allowedIPs
        self.dialect = dialect
        self.faults = faults
    }

    /// Whether `ip` may call the API.
    public func allows(_ ip: String?) -> Bool {
        guard var ip else { return false }
        if ip.hasPrefix("::ffff:") { ip.removeFirst(7) }
        if allowedIPs.isEmpty { return ip == "127.0.0.1" || ip == "::1" }
        return allowedIPs.contains(ip)
    }
}
