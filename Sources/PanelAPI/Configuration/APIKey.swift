/// The panel's API key. Its description, debug description and dump are redacted, so the
/// key cannot leak through string interpolation, `print` or a log line.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// What every textual form of a key prints.
    public static let redacted = "<redacted>"

    /// The key itself; read only to put it on the wire.
    public let secret: String

    /// Wraps a key.
    public init(_ secret: String) { self.secret = secret }

    /// Always `<redacted>`.
    public var description: String { Self.redacted }
    /// Always `<redacted>`.
    public var debugDescription: String { Self.redacted }
    /// A mirror without children, so `dump` shows nothing secret.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Replaces every occurrence of the key (as is, `urlencode`d or `rawurlencode`d) in `text`.
    public func redact(_ text: String) -> String {
        guard !secret.isEmpty else { return text }
        var result = text
        for form in Set([secret, PHPURLEncoding.encode(secret), PHPURLEncoding.rawEncode(secret)]) {
            result = result.replacingAll(form, with: Self.redacted)
        }
        return result
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension StringProtocol {
    fileprivate func range(of target: String) -> Range<Index>? {
        guard let first = target.first else { return nil }
        var index = startIndex
        while index < endIndex {
            if self[index] == first, self[index...].hasPrefix(target) {
                return index..<self.index(index, offsetBy: target.count)
            }
            index = self.index(after: index)
        }
        return nil
    }
}
