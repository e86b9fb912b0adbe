/// PHP's `http_build_query($data)` with default arguments, byte for byte.
///
/// Hummingbird's `URLEncodedFormEncoder` is not used: it stores keys in an unordered
/// dictionary, writes brackets unescaped, writes lists as `a[]=`, and leaves `~` and `*`
/// unescaped; `docs/panel.md` lists the differences.
public enum PHPFormEncoder {
    /// Encodes `fields` as `http_build_query` would encode the same PHP array.
    public static func encode(_ fields: FormMap) -> String {
        String(decoding: encodeBytes(fields), as: UTF8.self)
    }

    /// Encodes `fields` to bytes, ready for a request body.
    public static func encodeBytes(_ fields: FormMap) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for (key, value) in fields.entries {
            var prefix: [UInt8] = []
            PHPURLEncoding.append(key, to: &prefix)
            append(value, prefix: prefix, to: &out)
        }
        return out
    }

    /// Encodes a top-level list, as `http_build_query([a, b])` does (bare indexes as keys).
    public static func encode(list: [FormValue]) -> String {
        var out: [UInt8] = []
        for (index, value) in list.enumerated() {
            append(value, prefix: Array(String(index).utf8), to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let open: [UInt8] = Array("%5B".utf8)
    private static let close: [UInt8] = Array("%5D".utf8)

    private static func append(_ value: FormValue, prefix: [UInt8], to out: inout [UInt8]) {
        switch value {
        case .null:
            return
        case .list(let items):
            for (index, item) in items.enumerated() {
                append(item, prefix: prefix + open + Array(String(index).utf8) + close, to: &out)
            }
        case .map(let map):
            for (key, item) in map.entries {
                var child = prefix + open
                PHPURLEncoding.append(key, to: &child)
                append(item, prefix: child + close, to: &out)
            }
        case .bool(let flag):
            pair(prefix, flag ? "1" : "0", to: &out)
        case .int(let number):
            pair(prefix, String(number), to: &out)
        case .double(let number):
            pair(prefix, PHPFloatFormatter.format(number), to: &out)
        case .string(let text):
            pair(prefix, text, to: &out)
        }
    }

    private static func pair(_ key: [UInt8], _ value: String, to out: inout [UInt8]) {
        if !out.isEmpty { out.append(UInt8(ascii: "&")) }
        out += key
        out.append(UInt8(ascii: "="))
        PHPURLEncoding.append(value, to: &out)
    }
}
