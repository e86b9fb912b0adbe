import PanelAPI

/// Parses an `application/x-www-form-urlencoded` body as PHP fills `$_POST`
/// (`php_default_treat_data` and `php_register_variable_ex`, PHP 8.2).
///
/// - the last duplicate key wins, keeping the first key's position;
/// - `.` and space in the top-level name become `_`, leading spaces are dropped;
/// - `a[b][c]` nests, `a[]` appends, text after a closing `]` that is not `[` is ignored;
/// - an unclosed `[` in the top-level name becomes `_` (`a[b` is `a_b`);
/// - nesting deeper than `max_input_nesting_level` (64) drops the variable;
/// - only the first `max_input_vars` (1000) pairs count.
public enum PHPFormParser {
    /// PHP's `max_input_nesting_level` default.
    public static let maxNestingLevel = 64
    /// PHP's `max_input_vars` default.
    public static let maxInputVars = 1000

    /// The `$_POST` array for `body`.
    public static func parse(_ body: [UInt8]) -> PHPArray {
        var result = PHPArray()
        var count = 0
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            count += 1
            if count > maxInputVars { break }
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { pair[pair.startIndex..<$0] } ?? pair[...]
            let rawValue = equals.map { pair[($0 + 1)...] } ?? []
            var name = PHPURLEncoding.decode(rawName)
            // PHP treats the name as a C string.
            if let nul = name.firstIndex(of: 0) { name = Array(name[..<nul]) }
            let value = String(decoding: PHPURLEncoding.decode(rawValue), as: UTF8.self)
            register(name: name, value: value, into: &result)
        }
        return result
    }

    /// Parses a query-string-like text (for tests and `parse_str` comparisons).
    public static func parse(_ text: String) -> PHPArray { parse(Array(text.utf8)) }

    private static func register(name rawName: [UInt8], value: String, into result: inout PHPArray) {
        var name = rawName[...]
        while name.first == UInt8(ascii: " ") { name = name.dropFirst() }
        var base: [UInt8] = []
        var bracket: Int? = nil
        for index in name.indices {
            let byte = name[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: ".") {
                base.append(UInt8(ascii: "_"))
            } else if byte == UInt8(ascii: "[") {
                bracket = index
                break
            } else {
                base.append(byte)
            }
        }
        guard let start = bracket else {
            guard !base.isEmpty else { return }
            result.set(path: [String(decoding: base, as: UTF8.self)], value: value)
            return
        }
        guard !base.isEmpty else { return }
        var path: [String?] = [String(decoding: base, as: UTF8.self)]
        var position = start  // at a '['
        var level = 0
        while true {
            level += 1
            if level > maxNestingLevel { return }
            var cursor = position + 1
            let indexStart = cursor
            if cursor < name.endIndex, name[cursor] == UInt8(ascii: " ") { cursor += 1 }
            if cursor < name.endIndex, name[cursor] == UInt8(ascii: "]") {
                path.append(nil)
                position = cursor
            } else if let close = name[cursor...].firstIndex(of: UInt8(ascii: "]")) {
                path.append(String(decoding: name[indexStart..<close], as: UTF8.self))
                position = close
            } else {
                if path.count == 1 {
                    // Not an index: the '[' and the rest join the name, with ' ', '.', '[' as '_'.
                    var flat = base
                    flat.append(UInt8(ascii: "_"))
                    for byte in name[indexStart...] {
                        let isSpecial = byte == UInt8(ascii: " ") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "[")
                        flat.append(isSpecial ? UInt8(ascii: "_") : byte)
                    }
                    path = [String(decoding: flat, as: UTF8.self)]
                }
                break
            }
            let next = position + 1
            if next < name.endIndex, name[next] == UInt8(ascii: "[") {
                position = next
            } else {
                break
            }
        }
        result.set(path: path[...], value: value)
    }
}
