/// A JSON document as the panel sent it: integers and floats kept apart, object keys in
/// their original order, nothing dropped.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int`.
    case int(Int)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, keys in document order.
    case object(JSONObject)

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }
}

/// An ordered JSON object; a repeated key keeps its last value, as PHP's `json_decode` does.
public struct JSONObject: Sendable, Hashable {
    private var storage = OrderedEntries<JSONValue>()

    /// The members in document order.
    public var members: [(key: String, value: JSONValue)] { storage.pairs }

    /// Creates an object from members; later duplicates replace earlier values in place.
    public init(_ members: some Sequence<(String, JSONValue)> = []) {
        for (key, value) in members { storage[key] = value }
    }

    /// The member named `key`; assigning `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    /// Appends a member without looking for an existing key (the caller knows it is new).
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) { storage.appendUnchecked(key, value) }

    /// The member names in order.
    public var keys: [String] { storage.keys }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Creates an object keeping the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    /// Creates ``JSONValue/string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Creates ``JSONValue/int(_:)``.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// Creates ``JSONValue/bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
