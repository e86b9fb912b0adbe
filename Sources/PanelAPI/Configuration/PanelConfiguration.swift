/// Everything needed to talk to one panel.
public struct PanelConfiguration: Sendable {
    /// The panel's base URL, e.g. `http://panel.example:8000/` or
    /// `https://example.com:8001/panel/` (a path prefix is allowed); `api/...` is appended.
    public var baseURL: PanelURL
    /// The API key.
    public var apiKey: APIKey
    /// Where the key goes; the body (`api_key`) by default.
    public var keyPlacement: KeyPlacement
    /// Time allowed for a whole call (connect, send, receive).
    public var timeout: Duration
    /// Time allowed to open a connection (capped by `timeout`).
    public var connectTimeout: Duration
    /// Responses larger than this many bytes are refused.
    public var maxResponseBytes: Int
    /// How reads are retried.
    public var retry: PanelRetryPolicy
    /// The most requests at the panel at once (at least 1). The default, 4, keeps a shared
    /// PHP panel (typically a handful of PHP-FPM workers) responsive for its other users
    /// while a script still gets about four times the sequential speed; see docs/panel.md.
    public var concurrency: Int
    /// Requests started per second at most (a token bucket holding 1 token), or nil for no
    /// limit, the default.
    public var rate: Double?
    /// What happens when the panel answers HTTP 429 or 503.
    public var overload: OverloadPolicy

    /// The default of ``concurrency``.
    public static let defaultConcurrency = 4

    /// Creates a configuration.
    public init(
        baseURL: PanelURL,
        apiKey: APIKey,
        keyPlacement: KeyPlacement = .postField,
        timeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10),
        maxResponseBytes: Int = 32 * 1024 * 1024,
        retry: PanelRetryPolicy = PanelRetryPolicy(),
        concurrency: Int = PanelConfiguration.defaultConcurrency,
        rate: Double? = nil,
        overload: OverloadPolicy = OverloadPolicy()
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.keyPlacement = keyPlacement
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.retry = retry
        self.concurrency = max(1, concurrency)
        self.rate = rate
        self.overload = overload
    }
}
