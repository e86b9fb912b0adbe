/// A value sent to the panel: the Swift image of the PHP array `http_build_query` encodes.
///
/// Maps keep insertion order, as PHP arrays do; lists become explicit indexes (`a[0]`, `a[1]`).
public enum FormValue: Sendable, Hashable {
    /// PHP `null`: the key is left out of the request.
    case null
    /// PHP `bool`: `true` is sent as `1`, `false` as `0`.
    case bool(Bool)
    /// PHP `int`.
    case int(Int)
    /// PHP `float`, printed as PHP prints it (`precision` 14, `1.0E+20` style exponents).
    case double(Double)
    /// PHP `string`, sent as its UTF-8 bytes.
    case string(String)
    /// A PHP list: keys 0, 1, 2...
    case list([FormValue])
    /// A PHP array with keys, in insertion order.
    case map(FormMap)
}

extension FormValue: ExpressibleByNilLiteral {
    /// Creates ``FormValue/null``.
    public init(nilLiteral: ()) { self = .null }
}

extension FormValue: ExpressibleByBooleanLiteral {
    /// Creates ``FormValue/bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension FormValue: ExpressibleByIntegerLiteral {
    /// Creates ``FormValue/int(_:)``.
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension FormValue: ExpressibleByFloatLiteral {
    /// Creates ``FormValue/double(_:)``.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension FormValue: ExpressibleByStringLiteral {
    /// Creates ``FormValue/string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension FormValue: ExpressibleByArrayLiteral {
    /// Creates ``FormValue/list(_:)``.
    public init(arrayLiteral elements: FormValue...) { self = .list(elements) }
}

extension FormValue: ExpressibleByDictionaryLiteral {
    /// Creates ``FormValue/map(_:)`` keeping the literal's order.
    public init(dictionaryLiteral elements: (String, FormValue)...) {
        self = .map(FormMap(elements))
    }
}

extension FormValue: CustomStringConvertible {
    /// A compact, PHP-like rendering for logs and audit records (never contains the API key
    /// because the key is added by the client, not stored in a `FormValue`).
    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): PHPFloatFormatter.format(d)
        case .string(let s): "\"\(s)\""
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .map(let map): map.description
        }
    }
}
