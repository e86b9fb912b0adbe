#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints a `Double` exactly as PHP 8's `http_build_query` does.
///
/// PHP formats floats there with `zend_gcvt(value, precision = 14, '.', 'E')`: at most 14
/// significant digits, trailing zeros dropped, exponent form when the decimal exponent is
/// below -4 or above 15 (`1.0E+20`, `1.0E-5`, a lone digit gets `.0`), `INF`, `-INF`, `NAN`.
/// This is not the shortest round-trip form: `0.30000000000000004` prints `0.3`.
public enum PHPFloatFormatter {
    /// PHP's default `precision` ini setting.
    public static let precision = 14

    /// The text PHP produces for `value`.
    public static func format(_ value: Double, precision: Int = PHPFloatFormatter.precision) -> String {
        if value.isNaN { return "NAN" }
        if value.isInfinite { return value < 0 ? "-INF" : "INF" }
        let (negative, digits, decimalPoint) = significantDigits(value, count: precision)
        var out = negative ? "-" : ""
        // decimalPoint is dtoa's `decpt`: the value is 0.DIGITS x 10^decpt.
        if decimalPoint < 0 ? decimalPoint < -3 : decimalPoint > precision {
            let exponent = decimalPoint - 1
            out.append(digits.first!)
            out.append(".")
            out += digits.count > 1 ? String(digits.dropFirst()) : "0"
            out += exponent < 0 ? "E-" : "E+"
            out += String(abs(exponent))
        } else if decimalPoint <= 0 {
            out += "0." + String(repeating: "0", count: -decimalPoint) + String(digits)
        } else {
            let chars = Array(digits)
            for i in 0..<decimalPoint { out.append(i < chars.count ? chars[i] : "0") }
            if chars.count > decimalPoint {
                out += "." + String(chars[decimalPoint...])
            }
        }
        return out
    }

    /// dtoa mode 2: `count` correctly rounded significant digits without trailing zeros, and
    /// the decimal exponent. glibc's `%.*e` rounds exactly (half to even), as dtoa does.
    private static func significantDigits(_ value: Double, count: Int) -> (Bool, Substring, Int) {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([count - 1, value]) { vsnprintf(&buffer, buffer.count, "%.*e", $0) }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let text = String(decoding: bytes, as: UTF8.self)
        var rest = Substring(text)
        let negative = rest.hasPrefix("-")
        if negative { rest = rest.dropFirst() }
        let parts = rest.split(separator: "e")
        let mantissa = parts[0].replacingOccurrences(of: ".", with: "")
        let exponent = Int(parts[1])!
        var digits = Substring(mantissa)
        while digits.count > 1 && digits.last == "0" { digits = digits.dropLast() }
        if digits == "0" { return (negative, "0", 1) }
        return (negative, digits, exponent + 1)
    }
}

extension Substring {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        String(self).split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
