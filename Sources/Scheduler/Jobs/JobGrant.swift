/// What a scheduled run may do, as for `nightshift run`: which API functions it may call
/// and how many credits it may move.
public struct JobGrant: Sendable, Hashable {
    /// API functions the script may call (`resellers.add_credits`, ...); `--allow` flags.
    public var allow: [String]
    /// Most credits the run may move in total; `--max-credits`.
    public var maxCredits: Int?
    /// Most credits the run may move per reseller; `--max-credits-per-reseller`.
    public var maxCreditsPerReseller: Int?

    /// Creates a grant; the default grants nothing.
    public init(allow: [String] = [], maxCredits: Int? = nil, maxCreditsPerReseller: Int? = nil) {
        self.allow = allow
        self.maxCredits = maxCredits
        self.maxCreditsPerReseller = maxCreditsPerReseller
    }

    /// The `nightshift run` flags that carry this grant.
    public var flags: [String] {
        var flags: [String] = []
        for function in allow { flags += ["--allow", function] }
        if let maxCredits { flags += ["--max-credits", String(maxCredits)] }
        if let maxCreditsPerReseller { flags += ["--max-credits-per-reseller", String(maxCreditsPerReseller)] }
        return flags
    }
}
