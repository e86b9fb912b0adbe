/// Why a request never reached the panel, when the transport can tell: `nightshift panels
/// test` says what to do for each.
public enum UnreachableCause: String, Sendable, Hashable, CaseIterable {
    /// Nothing listens on the panel's port (or a firewall rejects the connection).
    case connectionRefused = "connection refused"
    /// No route to the panel's network or host.
    case unreachable = "unreachable"
    /// The panel's host name does not resolve.
    case nameNotResolved = "name not resolved"
    /// The TLS handshake failed: a certificate not trusted or not for this name, or a port
    /// that does not speak TLS.
    case tls = "TLS error"
}
