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
    public var retry: RetryPolicy

    /// Creates a configuration.
    public init(
        baseURL: PanelURL,
        apiKey: APIKey,
        keyPlacement: KeyPlacement = .postField,
        timeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10),
        maxResponseBytes: Int = 32 * 1024 * 1024,
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.keyPlacement = keyPlacement
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.retry = retry
    }
}
