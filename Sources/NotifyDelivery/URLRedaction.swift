import Foundation

/// How notification URLs are shown: their secret parts (path, query, user) never appear
/// in an output, a log line or a record.
public enum URLRedaction {
    /// `https://hooks.slack.com/services/T0/B0/xyz` becomes `https://hooks.slack.com/…`;
    /// text that is not a URL becomes `[URL]`.
    public static func redact(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host,
            !host.isEmpty
        else { return "[URL]" }
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)/…"
    }

    /// `text` with every one of `urls` replaced by its redacted form (longest first, so a
    /// URL that starts another is not half replaced).
    public static func redact(_ text: String, urls: [String]) -> String {
        var text = text
        for url in urls.filter({ !$0.isEmpty }).sorted(by: { $0.count > $1.count }) {
            text = text.replacingOccurrences(of: url, with: redact(url))
        }
        return text
    }
}
