import PanelAPI

/// One write as a plan shows it: what it does, to whom, and credits before and after.
public struct PlannedChange: Sendable, Hashable, CustomStringConvertible {
    /// The endpoint, `resellers.add_credits`.
    public var endpoint: String
    /// The reseller, as the script named it (`id 5`, `username "bob"`, `new "carol"`).
    public var target: String
    /// The parameters as sent (PHP form encoding, never the key).
    public var parameters: String { parameterText ?? request?.redactedDescription ?? "" }
    private var parameterText: String?
    /// The request, encoded only when the parameters are shown (most live writes never are).
    private var request: PanelRequest?
    /// The reseller's credits before the change, when known.
    public var creditsBefore: Int?
    /// The reseller's credits after the change, when known.
    public var creditsAfter: Int?
    /// The credit change this write makes (0 when it changes none).
    public var creditChange: Int
    /// Other fields changed, `name = value`.
    public var fieldChanges: [String]
    /// The script or module line that made the write (`topup.lua:33`, `lib/pricing.lua:12`).
    public var location: String?

    /// Creates a change.
    public init(
        endpoint: String, target: String, parameters: String, creditsBefore: Int?, creditsAfter: Int?,
        creditChange: Int, fieldChanges: [String] = [], location: String? = nil
    ) {
        self.location = location
        self.endpoint = endpoint
        self.target = target
        self.parameterText = parameters
        self.creditsBefore = creditsBefore
        self.creditsAfter = creditsAfter
        self.creditChange = creditChange
        self.fieldChanges = fieldChanges
    }

    /// A write as a plan shows it; its parameters are encoded when first shown.
    package init(_ write: Write) {
        self.location = write.location
        self.endpoint = write.endpoint
        self.target = write.targetLabel
        self.request = write.request
        self.creditsBefore = write.credits.before
        self.creditsAfter = write.credits.after
        self.creditChange = write.credits.change
        self.fieldChanges = write.fieldChanges
    }

    /// `resellers.add_credits  alice (id 5)  credits 40 -> 90 (+50)  [topup.lua:33]`.
    public var description: String {
        var text = "\(endpoint)  \(target)"
        if creditsBefore == nil, let creditsAfter {
            // Nothing to compare with: a new record starting with credits.
            text += "  credits \(creditsAfter) (new)"
        } else if creditsBefore == nil, creditChange != 0 {
            // A declared endpoint: the change is known, the balance is not.
            text += "  credits \(creditChange > 0 ? "+" : "")\(creditChange)"
        } else if creditChange != 0 || creditsBefore != nil || creditsAfter != nil {
            let sign = creditChange > 0 ? "+" : ""
            let before = creditsBefore.map(String.init) ?? "?"
            let after = creditsAfter.map(String.init) ?? "?"
            text += "  credits \(before) -> \(after) (\(sign)\(creditChange))"
        }
        if !fieldChanges.isEmpty { text += "  " + fieldChanges.joined(separator: ", ") }
        if endpoint.hasPrefix("notify.") {
            // A notification: what it would say.
            let message = parameters
            text += "  " + (message.count > 200 ? message.prefix(200) + "..." : message)
        }
        if let location { text += "  [\(location)]" }
        return text
    }
}
