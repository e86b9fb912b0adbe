/// A successful answer: the panel's JSON, kept whole, with what callers usually want.
public struct PanelReply: Sendable, Hashable {
    /// The decoded body (`{"result":true}`, a list, whatever the panel sent).
    public let body: JSONValue
    /// `created_id` of a `new` call, read tolerantly (number or numeric string).
    public var createdID: Int? { (body["created_id"] ?? body["id"])?.looseInt }

    /// Wraps a decoded body.
    public init(body: JSONValue) { self.body = body }
}
