/// One panel as nightshift.toml describes it: `[panels.NAME]`, or `[panel]` (named
/// `default`). A named panel takes what it leaves out (timeout, concurrency, rate, key
/// placement) from `[panel]`; never its URL or key file.
///
/// ```toml
/// [panels.eu]
/// url = "https://eu.example:8001/"
/// key_file = "/etc/nightshift/eu.key"
/// concurrency = 8
/// rate = 20
/// key_in_url = false
/// ```
public struct PanelDefinition: Sendable, Equatable {
    /// `eu` for `[panels.eu]`; ``defaultName`` for `[panel]` or a URL given with `--panel`.
    public var name: String
    /// The panel's base URL.
    public var url: String?
    /// A file holding its API key.
    public var keyFile: String?
    /// Most requests in flight at once.
    public var concurrency: Int?
    /// Most requests started per second.
    public var rate: Double?
    /// Whether the key goes in the URL (4th path segment) rather than the `api_key` field.
    public var keyInURL: Bool?
    /// Time for one panel call.
    public var timeout: Duration?

    /// The name of the panel `[panel]` (or `--panel URL`) describes.
    public static let defaultName = "default"
    /// What `--panels` takes for every `[panels.NAME]`.
    public static let allName = "all"

    /// Creates a definition.
    public init(
        name: String, url: String? = nil, keyFile: String? = nil, concurrency: Int? = nil, rate: Double? = nil,
        keyInURL: Bool? = nil, timeout: Duration? = nil
    ) {
        self.name = name
        self.url = url
        self.keyFile = keyFile
        self.concurrency = concurrency
        self.rate = rate
        self.keyInURL = keyInURL
        self.timeout = timeout
    }

    /// Whether `name` can name a panel: letters, digits, `_` and `-`, not `default` or `all`.
    public static func isValidName(_ name: String) -> Bool {
        name != defaultName && name != allName && NotifyTarget.isValidName(name)
    }
}
