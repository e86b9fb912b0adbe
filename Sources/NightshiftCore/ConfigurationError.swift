/// Why a jobs file could not be used; the description names the file, the job and the key.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The full message, e.g. `jobs.toml: job 'topup': schedule: cron: field 2 (hour) '25': value out of range 0-23`.
    public var description: String

    /// Creates an error with a complete message.
    public init(_ description: String) {
        self.description = description
    }
}
