import Foundation
import PanelAPI
import PanelEmulator

/// Random nested form data from a seed, and its PHP source literal, so PHP sees exactly the
/// types Swift has (JSON would turn `1.0` into `1`).
struct RandomForm {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    static let keyPool = [
        "a", "name", "data", "a b", "x.y", "é", "ключ", "k[1]", "]", "[", "~*", "0", "12", "-3", "05", "",
        "&=", "+%", "😀", "a\u{0}b", "api_key", "user name", "Ünïcødé", "/?#", "'quote'", "back\\slash",
    ]
    static let stringPool = [
        "", "test_reseller", "hello world", "a&b=c", "100%", "~tilde*star", "é", "日本語", "😀👍", "line\nbreak",
        "tab\t", "'", "\"", "\\", "+plus", "-_.", "!$'()*,;:@/?", "\u{0}", "0", "false", "null", " ",
    ]

    mutating func int(_ bound: Int) -> Int { Int(rng.next() % UInt64(bound)) }

    mutating func double() -> Double {
        switch int(10) {
        case 0: return [0.0, -0.0, 1.0, 100.0, 0.1, 0.5, 1e20, 1e15, 1e14, 1e-5, 0.0001, .infinity, -.infinity, .nan][int(14)]
        case 1: return Double(int(2_000_000)) - 1_000_000
        case 2: return Double(bitPattern: rng.next())
        case 3: return (Double(int(1_000_000)) / 1000) * (int(2) == 0 ? 1 : -1)
        case 4: return Double(int(1 << 30)) * pow10(int(40) - 20)
        default: return Double(rng.next() >> 11) / Double(1 << 53) * pow10(int(30) - 10)
        }
    }

    private func pow10(_ e: Int) -> Double {
        var value = 1.0
        for _ in 0..<abs(e) { value *= 10 }
        return e < 0 ? 1 / value : value
    }

    mutating func string() -> String {
        var text = ""
        for _ in 0..<int(3) { text += Self.stringPool[int(Self.stringPool.count)] }
        return text
    }

    mutating func value(depth: Int) -> FormValue {
        switch int(depth > 3 ? 6 : 9) {
        case 0: return .null
        case 1: return .bool(int(2) == 0)
        case 2: return .int([0, 1, -1, Int.max, Int.min, int(100_000) - 50_000][int(6)])
        case 3: return .double(double())
        case 4, 5: return .string(string())
        case 6: return .list((0..<int(4)).map { _ in value(depth: depth + 1) })
        default: return .map(map(depth: depth + 1))
        }
    }

    mutating func map(depth: Int = 0) -> FormMap {
        var map = FormMap()
        for _ in 0..<int(depth == 0 ? 6 : 4) {
            map[Self.keyPool[int(Self.keyPool.count)]] = value(depth: depth)
        }
        return map
    }
}

/// PHP source literals for form values.
enum PHPLiteral {
    static func string(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    static func double(_ value: Double) -> String {
        if value.isNaN { return "NAN" }
        if value.isInfinite { return value < 0 ? "-INF" : "INF" }
        var text = String(format: "%.17g", value)
        if !text.contains(".") && !text.contains("e") { text += ".0" }
        return text
    }

    static func value(_ value: FormValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): number == Int.min ? "PHP_INT_MIN" : String(number)
        case .double(let number): double(number)
        case .string(let text): string(text)
        case .list(let items): "[" + items.map(Self.value).joined(separator: ", ") + "]"
        case .map(let map): self.map(map)
        }
    }

    static func map(_ map: FormMap) -> String {
        "[" + map.entries.map { "\(string($0.key)) => \(value($0.value))" }.joined(separator: ", ") + "]"
    }
}
