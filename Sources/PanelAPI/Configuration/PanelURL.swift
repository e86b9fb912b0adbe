/// A validated panel base URL: `http` or `https`, a host, an optional port and path prefix.
public struct PanelURL: Sendable, Hashable, CustomStringConvertible {
    /// Why a base URL was refused.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong with it.
        public let description: String
    }

    /// `http` or `https`.
    public let scheme: String
    /// The host name or address (IPv6 without brackets).
    public let host: String
    /// The port; 8000 for http and 8001 for https when the URL names none, as panels listen.
    public let port: Int
    /// The path prefix, always starting and ending with `/` (`/` when there is none).
    public let pathPrefix: String

    /// Parses `text` such as `http://panel.example:8000/` or `https://h/prefix`.
    public init(_ text: String) throws(Invalid) {
        let trimmed = text.trimmingSpaces
        guard let schemeEnd = trimmed.firstRange(of: "://") else {
            throw Invalid(description: "panel URL must start with http:// or https://")
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw Invalid(description: "panel URL scheme must be http or https, not \(scheme)")
        }
        var rest = trimmed[schemeEnd.upperBound...]
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard !authority.contains("@") else {
            throw Invalid(description: "panel URL must not contain credentials; use the API key setting")
        }
        var host = Substring(authority)
        var port: Int? = nil
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw Invalid(description: "panel URL has a bad IPv6 address") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()) else { throw Invalid(description: "panel URL has a bad port") }
                port = p
            }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]) else { throw Invalid(description: "panel URL has a bad port") }
            port = p
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw Invalid(description: "panel URL has no host") }
        if let port, !(1...65535).contains(port) { throw Invalid(description: "panel URL port must be 1-65535") }
        self.scheme = scheme
        self.host = String(host)
        self.port = port ?? (scheme == "https" ? 8001 : 8000)
        var prefix = String(path)
        if !prefix.hasPrefix("/") { prefix = "/" + prefix }
        if !prefix.hasSuffix("/") { prefix += "/" }
        self.pathPrefix = prefix
    }

    /// `scheme://host:port/prefix/`.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)\(pathPrefix)"
    }

    /// The URL of `path` (no leading slash) under the prefix.
    public func appending(path: String) -> String { description + path }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}
