import NightshiftCore
/// Where the daemon serves `/metrics` and `/healthz`: `[scheduler] metrics = "127.0.0.1:9464"`.
///
/// The daemon binds exactly this address. Loopback is the safe choice; `0.0.0.0:9464` lets a
/// Prometheus on another machine scrape it (the metrics name jobs, never URLs or keys).
public struct MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host or address to bind (`127.0.0.1`, `::1`, `0.0.0.0`).
    public var host: String
    /// The port; 0 picks a free one (tests).
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` or `[IPv6]:PORT`; nil when it is neither.
    public init?(_ text: String) {
        var host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        host = host.drop { $0 == " " }
        guard !host.isEmpty, !host.contains(" "), let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.host = String(host)
        self.port = port
    }

    /// `127.0.0.1:9464`, `[::1]:9464`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Reads `[scheduler] metrics`.
    static func read(_ reader: TOMLReader) throws(ConfigurationError) -> MetricsAddress? {
        guard let text = try reader.string("metrics") else { return nil }
        guard let address = MetricsAddress(text) else {
            throw reader.fail("metrics: '\(text)' is not HOST:PORT; write e.g. \"127.0.0.1:9464\" (or \"0.0.0.0:9464\" to be scraped from other machines)")
        }
        return address
    }
}
