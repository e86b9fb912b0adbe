/// One API call before it is sent: endpoint, parameters (without the API key) and whether it
/// changes anything. Dry-run planners and audit logs record it via ``redactedDescription``.
public struct PanelRequest: Sendable, Hashable, CustomStringConvertible {
    /// Whether a call only reads (retried on failure) or changes the panel (never retried).
    public enum Kind: String, Sendable, Hashable {
        /// Reads; safe to retry.
        case read
        /// Changes state; never retried, "outcome unknown" when unanswered.
        case mutation
    }

    /// The API group (`resellers`).
    public let group: String
    /// The action (`add_credits`).
    public let action: String
    /// The parameters, in order, without the API key.
    public let params: FormMap
    /// Read or mutation.
    public let kind: Kind

    /// Creates a request; `group` and `action` must be letters, digits and `_`.
    public init(group: String, action: String, params: FormMap = [:], kind: Kind) throws(PanelError) {
        for part in [group, action] where !Self.isValidSegment(part) {
            throw PanelError(
                .invalidRequest, endpoint: "\(group).\(action)",
                detail: "group and action must be letters, digits and _")
        }
        self.group = group
        self.action = action
        self.params = params
        self.kind = kind
    }

    init(trusted group: String, _ action: String, _ params: FormMap, _ kind: Kind) {
        self.group = group
        self.action = action
        self.params = params
        self.kind = kind
    }

    /// `group.action`, as errors and logs name it.
    public var endpoint: String { "\(group).\(action)" }

    /// The parameters with any `api_key` field (at any depth) replaced by `<redacted>`.
    public var redactedParams: FormMap { Self.redact(params) }

    /// `resellers.add_credits id=5&credits=25`: the endpoint and the PHP-encoded parameters,
    /// never the key. Stable, so audit logs can compare it.
    public var redactedDescription: String {
        let body = PHPFormEncoder.encode(redactedParams)
        return body.isEmpty ? endpoint : "\(endpoint) \(body)"
    }

    /// Same as ``redactedDescription``.
    public var description: String { redactedDescription }

    static func isValidSegment(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { PHPURLEncoding.isUnreserved($0) && $0 != UInt8(ascii: ".") }
    }

    private static func redact(_ map: FormMap) -> FormMap {
        FormMap(map.entries.map { entry -> (String, FormValue) in
            if entry.key.lowercased() == "api_key" { return (entry.key, .string(APIKey.redacted)) }
            if case .map(let inner) = entry.value { return (entry.key, .map(redact(inner))) }
            if case .list(let items) = entry.value {
                return (entry.key, .list(items.map { if case .map(let m) = $0 { .map(redact(m)) } else { $0 } }))
            }
            return (entry.key, entry.value)
        })
    }
}

extension PanelRequest {
    /// `resellers/list`.
    public static func resellersList() -> PanelRequest {
        PanelRequest(trusted: "resellers", "list", [:], .read)
    }

    /// `resellers/new` with `data[...]`.
    public static func resellersNew(_ reseller: NewReseller) -> PanelRequest {
        PanelRequest(trusted: "resellers", "new", ["data": .map(reseller.data)], .mutation)
    }

    /// `resellers/update` for `target` with `data[...]` = `fields`.
    public static func resellersUpdate(_ target: ResellerRef, fields: FormMap) -> PanelRequest {
        let ref = target.field
        return PanelRequest(trusted: "resellers", "update", FormMap([(ref.key, ref.value), ("data", .map(fields))]), .mutation)
    }

    /// `resellers/add_credits` of `credits` (negative takes credits away) to `target`.
    public static func resellersAddCredits(_ target: ResellerRef, _ credits: Int) -> PanelRequest {
        let ref = target.field
        return PanelRequest(trusted: "resellers", "add_credits", FormMap([(ref.key, ref.value), ("credits", .int(credits))]), .mutation)
    }
}
