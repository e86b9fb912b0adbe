/// What the operator allows one run to do: which API functions it may call and how many
/// credits it may move. Grants come from the command line or a job's configuration, never
/// from the script.
public struct Grant: Sendable, Hashable, CustomStringConvertible {
    /// The functions the script may call.
    public var allowed: Set<APIFunction>
    /// Most credits the run may move in total, counted as the sum of the absolute change of
    /// every write (`add_credits` amounts, credits given by `new`, credit changes by
    /// `update`). `0` (the default) allows no credit change at all.
    public var maxCredits: Int
    /// Most credits the run may move for any one reseller, counted the same way; `nil` means
    /// only ``maxCredits`` applies.
    public var maxCreditsPerReseller: Int?

    /// Creates a grant; the default allows reads only and no credit change.
    public init(allowed: Set<APIFunction> = APIFunction.readsOnly, maxCredits: Int = 0, maxCreditsPerReseller: Int? = nil) {
        self.allowed = allowed
        self.maxCredits = maxCredits
        self.maxCreditsPerReseller = maxCreditsPerReseller
    }

    /// Whether `function` may be called: it is named, or its group is with `group.*`
    /// (`notify.*` grants every notification target).
    public func allows(_ function: APIFunction) -> Bool {
        allowed.contains(function) || allowed.contains(APIFunction(rawValue: "\(function.group).*"))
    }

    /// The command-line flags that give this grant: `--allow resellers.list --max-credits 100`.
    public var flags: [String] {
        var flags: [String] = []
        for function in allowed.sorted() { flags += ["--allow", function.rawValue] }
        if maxCredits > 0 { flags += ["--max-credits", String(maxCredits)] }
        if let maxCreditsPerReseller { flags += ["--max-credits-per-reseller", String(maxCreditsPerReseller)] }
        return flags
    }

    /// `allow resellers.list, resellers.add_credits; max credits 100 (25 per reseller)`.
    public var description: String {
        var text = "allow " + (allowed.isEmpty ? "nothing" : allowed.sorted().map(\.rawValue).joined(separator: ", "))
        text += "; max credits \(maxCredits)"
        if let maxCreditsPerReseller { text += " (\(maxCreditsPerReseller) per reseller)" }
        return text
    }
}
