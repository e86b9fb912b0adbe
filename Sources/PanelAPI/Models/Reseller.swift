/// One reseller row from `resellers/list`, with typed fields read tolerantly (`"50"` is 50,
/// `"1"` is true) and every field the panel sent kept in ``fields``.
public struct Reseller: Sendable, Hashable {
    /// The panel's id for the reseller.
    public let id: Int
    /// `username`, or `name` on panels that call it that.
    public let username: String
    /// `credits`, when present and a whole number.
    public let credits: Int?
    /// `max_allowed_connections`, when present and numeric.
    public let maxAllowedConnections: Int?
    /// `use_credits`, read with PHP's truthiness for strings and numbers.
    public let useCredits: Bool?
    /// `status` (panels use 1 for enabled), when numeric.
    public let status: Int?
    /// Every field exactly as received, in the panel's order, unknown ones included.
    public let fields: JSONObject

    /// The field names this type reads into properties.
    public static let knownFields: Set<String> = [
        "id", "username", "name", "credits", "max_allowed_connections", "use_credits", "status",
    ]

    /// The fields this type does not model, in the panel's order.
    public var unknownFields: JSONObject {
        JSONObject(fields.members.filter { !Self.knownFields.contains($0.key) }.map { ($0.key, $0.value) })
    }

    /// Reads a row; fails only when the row is not an object or has no usable `id`.
    public init(row: JSONValue) throws(DecodingFailure) {
        guard case .object(let object) = row else { throw DecodingFailure("a reseller row is not an object") }
        guard let id = object["id"]?.looseInt else { throw DecodingFailure("a reseller row has no numeric id") }
        self.id = id
        self.username = (object["username"] ?? object["name"])?.looseString ?? ""
        self.credits = object["credits"]?.looseInt
        self.maxAllowedConnections = object["max_allowed_connections"]?.looseInt
        self.useCredits = object["use_credits"]?.looseBool
        self.status = object["status"]?.looseInt
        self.fields = object
    }

    /// Why a response could not be read into a model.
    public struct DecodingFailure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What was wrong.
        public let description: String
        init(_ description: String) { self.description = description }
    }
}

extension Reseller {
    /// The resellers in a `resellers/list` reply, whatever shape the panel sends the list in.
    /// - Throws: ``PanelError/Kind/malformedResponse`` naming the first row that is not a reseller.
    public static func list(from reply: PanelReply, endpoint: String) throws(PanelError) -> [Reseller] {
        let rows = try ResponseInterpreter.rows(of: reply, endpoint: endpoint)
        var resellers: [Reseller] = []
        resellers.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            do {
                resellers.append(try Reseller(row: row))
            } catch {
                throw PanelError(.malformedResponse, endpoint: endpoint, detail: "row \(index): \(error)")
            }
        }
        return resellers
    }
}
