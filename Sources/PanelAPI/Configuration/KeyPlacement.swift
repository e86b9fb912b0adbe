/// Where the API key goes in each request.
public enum KeyPlacement: String, Sendable, Hashable, CaseIterable {
    /// As the `api_key` POST field, first in the body (the vendor's examples do this).
    case postField = "post"
    /// As the 4th URL segment: `/api/resellers/list/KEY`.
    case pathSegment = "path"
}
