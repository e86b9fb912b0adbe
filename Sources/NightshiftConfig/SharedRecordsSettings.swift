import NightshiftCore

/// Where the shared records live: `[records] store` and `password_file` in nightshift.toml.
public struct SharedRecordsSettings: Sendable, Equatable, CustomStringConvertible {
    /// The database.
    public var location: PostgresLocation
    /// A file whose first line is the password; nil reads `PGPASSWORD`, then `PGPASSFILE` or
    /// `~/.pgpass`.
    public var passwordFile: String?

    /// Creates settings.
    public init(location: PostgresLocation, passwordFile: String? = nil) {
        self.location = location
        self.passwordFile = passwordFile
    }

    /// The settings a configuration names, or nil when it has no `[records] store`.
    /// - Throws: `ConfigurationError` when the URL is not a password-free PostgreSQL URL.
    public init?(configuration: NightshiftConfiguration) throws(ConfigurationError) {
        guard let store = configuration.recordsStore else { return nil }
        do {
            location = try PostgresLocation(url: store)
        } catch {
            throw ConfigurationError("[records] store: \(error.description)")
        }
        passwordFile = configuration.recordsPasswordFile
    }

    /// The password, from `PGPASSWORD`, the password file, or `PGPASSFILE`/`~/.pgpass`.
    /// - Throws: when the password file is set and cannot be read.
    public func password(environment: [String: String]) throws(ConfigurationError) -> String? {
        try location.password(environment: environment, passwordFile: passwordFile, setting: "[records] password_file")
    }

    /// The database's URL without a password.
    public var description: String { location.description }
}
