import Foundation

/// A PostgreSQL database named by `[scheduler] store = "postgres://USER@HOST:PORT/DB"`,
/// and where its password comes from. The password is never part of the URL, never
/// printed, and removed from every message that might echo it.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is encrypted (`?sslmode=`, as libpq spells it).
    public enum TLSMode: String, Sendable {
        /// Plain TCP.
        case disable
        /// TLS if the server offers it (the default, as in libpq).
        case prefer
        /// TLS or no connection.
        case require
    }

    /// The role to log in as.
    public var user: String
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// The database.
    public var database: String
    /// Encryption.
    public var tls: TLSMode

    /// Reads a `postgres://` or `postgresql://` URL.
    /// - Throws: `ConfigurationError` saying what is wrong, without echoing a password.
    public init(url text: String) throws(ConfigurationError) {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw ConfigurationError(
                "'\(Self.redacted(text))' is not a PostgreSQL URL; write postgres://USER@HOST:PORT/DATABASE")
        }
        if components.password != nil {
            throw ConfigurationError(
                "\(Self.redacted(text)): the URL holds a password; remove it and set PGPASSWORD, ~/.pgpass or [scheduler] password_file")
        }
        guard let user = components.user, !user.isEmpty else {
            throw ConfigurationError("\(text): no user; write postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ConfigurationError("\(text): no host; write postgres://USER@HOST:PORT/DATABASE")
        }
        self.user = user.removingPercentEncoding ?? user
        self.host = host
        port = components.port ?? 5432
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? self.user : (path.removingPercentEncoding ?? path)
        tls = .prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: item.value ?? "") else {
                    throw ConfigurationError("\(text): sslmode '\(item.value ?? "")': use disable, prefer or require")
                }
                tls = mode
            default:
                throw ConfigurationError("\(text): unknown parameter '\(item.name)'; only sslmode is read")
            }
        }
    }

    /// The URL without a password, safe to print.
    public var description: String {
        "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }

    /// The whole URL, `sslmode` included, without a password: what ``init(url:)`` reads back
    /// in another process (`nightshift` hands its shared records to `nightshift-full`).
    public var url: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = user
        if host.contains(":") { components.percentEncodedHost = "[\(host)]" } else { components.host = host }
        components.port = port
        components.path = "/" + database
        components.queryItems = [URLQueryItem(name: "sslmode", value: tls.rawValue)]
        return components.string ?? description
    }

    /// The password: `PGPASSWORD`, else the first line of `passwordFile`, else the matching
    /// line of `PGPASSFILE` or `~/.pgpass` (libpq's format); nil if none has one.
    /// - Parameter setting: the configuration key that named `passwordFile`, for messages.
    /// - Throws: when `passwordFile` is set and cannot be read.
    public func password(
        environment: [String: String], passwordFile: String?, setting: String = "[scheduler] password_file"
    ) throws(ConfigurationError) -> String? {
        if let password = environment["PGPASSWORD"], !password.isEmpty { return password }
        if let passwordFile {
            let text: String
            do {
                text = try FileRead.text(passwordFile, what: "the PostgreSQL password file (\(setting))", limit: 1 << 20)
            } catch {
                throw ConfigurationError(error.description)
            }
            return text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let pgpass = environment["PGPASSFILE"] ?? (home as NSString).appendingPathComponent(".pgpass")
        // libpq reads this file only when it exists; so do we, but one that exists and cannot be used is named.
        let text: String
        do {
            text = try FileRead.text(pgpass, what: "the PostgreSQL password file", limit: 1 << 20)
        } catch {
            if error.reason == .missing { return nil }
            throw ConfigurationError(error.description + " (PGPASSFILE or ~/.pgpass)")
        }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = Self.pgpassFields(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// Splits a `.pgpass` line on unescaped colons, undoing `\:` and `\\`.
    static func pgpassFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    /// A URL with any password replaced by `***`.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "postgres://***"
    }
}
