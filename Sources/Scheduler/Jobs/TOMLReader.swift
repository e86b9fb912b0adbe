import NightshiftCore
import TOMLKit

/// Typed access to one TOML table, falling back to `[defaults]`, with errors that name
/// the file, the table and the key.
struct TOMLReader {
    let table: TOMLTable
    var defaults: TOMLTable?
    let context: String
    let fileName: String

    init(table: TOMLTable, defaults: TOMLTable? = nil, context: String, fileName: String) {
        self.table = table
        self.defaults = defaults
        self.context = context
        self.fileName = fileName
    }

    func fail(_ message: String) -> ConfigurationError { ConfigurationError("\(fileName): \(context): \(message)") }

    func rejectUnknown(_ known: Set<String>) throws(ConfigurationError) {
        for key in table.keys where !known.contains(key) {
            throw fail("unknown key '\(key)'; known keys: \(known.sorted().joined(separator: ", "))")
        }
    }

    private func value(_ key: String) -> (any TOMLValueConvertible)? { table[key] ?? defaults?[key] }

    func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.string else { throw fail("\(key): must be a string") }
        return text
    }

    func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.bool else { throw fail("\(key): must be true or false") }
        return flag
    }

    func int(_ key: String) throws(ConfigurationError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.int, number >= 0 else { throw fail("\(key): must be a whole number, 0 or more") }
        return number
    }

    /// A rate in requests per second above 0 (`20`, `2.5`), as `nightshift run --rate` reads it.
    func rate(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = value(key) else { return nil }
        if let number = value.int, number > 0 { return String(number) }
        guard let number = value.double, number > 0, number.isFinite else {
            throw fail("\(key): must be a number of requests per second above 0, e.g. 20 or 2.5")
        }
        return String(number)
    }

    /// A size as `nightshift run --max-output` reads it (`10M`, `512K`, `1G`, `10MiB`, or a
    /// number of bytes), returned as a number of bytes.
    func size(_ key: String) throws(ConfigurationError) -> Int? {
        guard let value = value(key) else { return nil }
        if let number = value.int, number > 0 { return number }
        var text = value.string?.trimmingWhitespace.uppercased() ?? ""
        if text.hasSuffix("IB") { text.removeLast(2) } else if text.hasSuffix("B") { text.removeLast() }
        var shift = 0
        if let last = text.last, let unit = ["K": 10, "M": 20, "G": 30][String(last)] {
            shift = unit
            text.removeLast()
        }
        guard let number = Int(text), number > 0, number <= Int.max >> shift else {
            throw fail("\(key): write a size such as \"10M\", \"512K\" or \"1G\"")
        }
        return number << shift
    }

    /// A number (integer or fractional) of at least `minimum`.
    func number(_ key: String, atLeast minimum: Double) throws(ConfigurationError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.double ?? value.int.map(Double.init), number.isFinite, number >= minimum else {
            throw fail("\(key): must be a number, at least \(minimum)")
        }
        return number
    }

    func table(_ key: String) throws(ConfigurationError) -> TOMLTable? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { throw fail("\(key): must be a table, e.g. \(key) = { ... }") }
        return table
    }

    func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw fail("\(key): must be an array of strings") }
        var result: [String] = []
        for element in array {
            guard let text = element.string else { throw fail("\(key): must be an array of strings") }
            result.append(text)
        }
        return result
    }

    /// A duration written as `"30s"`, `"5m"`, `"1h30m"` or as a number of seconds.
    func duration(_ key: String) throws(ConfigurationError) -> Int64? {
        guard let value = value(key) else { return nil }
        if let number = value.int, number >= 0 { return Int64(number) }
        guard let text = value.string, let seconds = DurationText.seconds(text) else {
            throw fail("\(key): write a duration such as \"30s\", \"5m\" or \"1h30m\"")
        }
        return seconds
    }
}
