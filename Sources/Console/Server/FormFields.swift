import Foundation

/// The fields of a query string or an `application/x-www-form-urlencoded` body.
///
/// A name given more than once has no value: `csrf=a&csrf=b` is neither, so a crafted form
/// cannot make two parts of the console read two different values.
public struct FormFields: Sendable, Equatable {
    private var values: [String: [String]] = [:]

    /// The most fields read; the rest are ignored.
    public static let maximumFields = 64

    /// Parses `text` (`a=1&b=two+words&c=%3Cx%3E`).
    public init(_ text: Substring) {
        var count = 0
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            count += 1
            if count > Self.maximumFields { break }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), !name.isEmpty else { continue }
            let value = parts.count > 1 ? Self.decode(parts[1]) ?? "" : ""
            values[name, default: []].append(value)
        }
    }

    /// Parses `text`; nil reads as no fields.
    public init(_ text: String?) {
        self.init(Substring(text ?? ""))
    }

    /// The value of `name` when it was given exactly once, else nil.
    public subscript(_ name: String) -> String? {
        guard let list = values[name], list.count == 1 else { return nil }
        return list[0]
    }

    /// The value of `name` with surrounding spaces removed; nil when missing or empty.
    public func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// Whether `name` was given at all (once or more).
    public func contains(_ name: String) -> Bool { values[name] != nil }

    private static func decode(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
