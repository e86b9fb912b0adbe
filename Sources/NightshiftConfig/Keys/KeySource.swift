/// Where a panel's API key was found, as `nightshift panels` and messages name it: never
/// the key.
public enum KeySource: Sendable, Equatable, CustomStringConvertible {
    /// The panel's `key_file` (or `--key-file`).
    case keyFile(String)
    /// `$CREDENTIALS_DIRECTORY/nightshift-NAME` (systemd `LoadCredential=`).
    case credential(String)
    /// `$NIGHTSHIFT_API_KEY_FILE`.
    case keyFileVariable(String)
    /// `$NIGHTSHIFT_API_KEY`.
    case variable
    /// `$NIGHTSHIFT_API_KEY` of the daemon that started this run, handed over on a pipe
    /// (`NIGHTSHIFT_API_KEY_FD`), never in the environment.
    case handedOver

    /// `key_file /etc/nightshift/eu.key`, `systemd credential nightshift-eu`, ...
    public var description: String {
        switch self {
        case .keyFile(let path): "key_file \(path)"
        case .credential(let name): "systemd credential \(name)"
        case .keyFileVariable(let path): "NIGHTSHIFT_API_KEY_FILE (\(path))"
        case .variable: "NIGHTSHIFT_API_KEY"
        case .handedOver: "NIGHTSHIFT_API_KEY of the scheduler (handed over on a pipe)"
        }
    }
}

/// A panel's API key and where it came from.
public struct PanelKey: Sendable {
    /// The key; only ever put on the wire or fingerprinted.
    public let secret: String
    /// Where it was found.
    public let source: KeySource

    /// Creates one.
    public init(secret: String, source: KeySource) {
        self.secret = secret
        self.source = source
    }

    /// The one line said when the key came from the environment: a file is safer.
    public var note: String? {
        switch source {
        case .variable, .handedOver:
            "note: the API key comes from NIGHTSHIFT_API_KEY; a key file is safer (chmod 600, then key_file or NIGHTSHIFT_API_KEY_FILE; docs/fleets.md)"
        default:
            nil
        }
    }
}
