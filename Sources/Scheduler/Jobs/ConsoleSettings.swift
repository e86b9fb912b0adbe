import NightshiftCore
import TOMLKit

/// The `[console]` table of a jobs file: where the web console listens and who may log in.
/// With the table present, `nightshift schedule` serves the console beside the daemon;
/// `nightshift console` reads the same table. docs/console.md describes every key.
///
/// The console listens on loopback unless told otherwise. A non-loopback address needs TLS
/// (`tls_cert` and `tls_key`) or an explicit `insecure_http = true`, which every page then
/// shows; the jobs file is refused otherwise.
public struct ConsoleSettings: Sendable, Equatable {
    /// The address to bind; `127.0.0.1:8080` by default. Port 0 picks a free port (tests).
    public var listen: MetricsAddress
    /// PEM certificate chain for HTTPS.
    public var tlsCertificate: String?
    /// PEM private key for HTTPS.
    public var tlsKey: String?
    /// Serve plain HTTP on a non-loopback address anyway; every page says so.
    public var insecureHTTP: Bool
    /// The users file `nightshift console add-user` writes (bcrypt hashes, never passwords).
    public var usersFile: String
    /// A session unused for this many seconds ends.
    public var sessionIdle: Int64
    /// The origin browsers see when a reverse proxy is in front (`https://console.example.com`):
    /// POSTs must come from it, Host may name it, and an `https` origin makes cookies Secure.
    public var publicOrigin: String?

    /// The default address.
    public static let defaultListen = MetricsAddress(host: "127.0.0.1", port: 8080)
    /// The default idle expiry: 30 minutes.
    public static let defaultSessionIdle: Int64 = 30 * 60

    /// Creates settings.
    public init(
        listen: MetricsAddress = ConsoleSettings.defaultListen, tlsCertificate: String? = nil, tlsKey: String? = nil,
        insecureHTTP: Bool = false, usersFile: String, sessionIdle: Int64 = ConsoleSettings.defaultSessionIdle,
        publicOrigin: String? = nil
    ) {
        self.listen = listen
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
        self.insecureHTTP = insecureHTTP
        self.usersFile = usersFile
        self.sessionIdle = sessionIdle
        self.publicOrigin = publicOrigin
    }

    /// Whether pages are served over TLS.
    public var usesTLS: Bool { tlsCertificate != nil && tlsKey != nil }

    /// Whether `host` is a loopback address or name (`127.0.0.0/8`, `::1`, `localhost`).
    public static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" { return true }
        let parts = lowered.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in UInt8(part) != nil }
    }

    /// Why these settings may not be served, or nil: a non-loopback address without TLS or
    /// `insecure_http`, or half a TLS pair.
    public var problem: String? {
        if (tlsCertificate == nil) != (tlsKey == nil) {
            return "tls_cert and tls_key go together: set both to serve HTTPS, or neither"
        }
        if !Self.isLoopback(listen.host) && !usesTLS && !insecureHTTP {
            return "listen: \(listen) is not a loopback address, and the console would send passwords and session "
                + "cookies over plain HTTP; set tls_cert and tls_key to serve HTTPS, listen on 127.0.0.1 behind a "
                + "reverse proxy that does TLS, or set insecure_http = true to accept the risk (every page then says so)"
        }
        if let publicOrigin, !(publicOrigin.hasPrefix("https://") || publicOrigin.hasPrefix("http://")) {
            return "public_origin: '\(publicOrigin)' must start with https:// or http://, e.g. \"https://console.example.com\""
        }
        return nil
    }

    static let keys: Set<String> = ["listen", "tls_cert", "tls_key", "insecure_http", "users", "session_idle", "public_origin"]

    /// Reads `[console]`; relative paths are resolved with `resolve`.
    static func read(_ table: TOMLTable, fileName: String, resolve: (String) -> String) throws(ConfigurationError)
        -> ConsoleSettings
    {
        let reader = TOMLReader(table: table, context: "[console]", fileName: fileName)
        try reader.rejectUnknown(keys)
        var settings = ConsoleSettings(usersFile: resolve(try reader.string("users") ?? "console-users.toml"))
        if let text = try reader.string("listen") {
            guard let address = MetricsAddress(text) else {
                throw reader.fail("listen: '\(text)' is not HOST:PORT; write e.g. \"127.0.0.1:8080\"")
            }
            settings.listen = address
        }
        settings.tlsCertificate = try reader.string("tls_cert").map(resolve)
        settings.tlsKey = try reader.string("tls_key").map(resolve)
        settings.insecureHTTP = try reader.bool("insecure_http") ?? false
        if let idle = try reader.duration("session_idle") {
            guard idle >= 60, idle <= 86_400 else {
                throw reader.fail("session_idle: must be between 1m and 24h")
            }
            settings.sessionIdle = idle
        }
        settings.publicOrigin = try reader.string("public_origin").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        if let problem = settings.problem { throw reader.fail(problem) }
        return settings
    }
}
