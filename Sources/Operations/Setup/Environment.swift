import Foundation
import NightshiftCore
import Scheduler
import ScriptRuntime
import SharedRecords
import NightshiftConfig
import RunRecords

/// What the executable reads from the environment and files: configuration, state folder,
/// API key. Only the executable calls it; ScriptRuntime and the other libraries are handed
/// the results.
public struct Environment {
    /// The environment variables read.
    public let variables: [String: String]

    /// The process environment, or given variables (tests).
    public init(variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.variables = variables
    }

    /// `$HOME`.
    public var home: String { variables["HOME"] ?? NSHomeDirectory() }

    /// Loads nightshift.toml: `--config`, else `$NIGHTSHIFT_CONFIG`, else `./nightshift.toml`
    /// if present, else `~/.config/nightshift/nightshift.toml` if present, else defaults.
    public func configuration(explicit: String?) throws(CommandFailure) -> NightshiftConfiguration {
        let path: String
        if let explicit {
            path = explicit
        } else if let fromEnvironment = variables["NIGHTSHIFT_CONFIG"], !fromEnvironment.isEmpty {
            path = fromEnvironment
        } else if FileManager.default.fileExists(atPath: "nightshift.toml") {
            path = "nightshift.toml"
        } else {
            let user = home + "/.config/nightshift/nightshift.toml"
            guard FileManager.default.fileExists(atPath: user) else { return NightshiftConfiguration() }
            path = user
        }
        let text: String
        do {
            text = try FileRead.text(path, what: "the configuration file")
        } catch {
            let hint = error.reason == .missing ? " (named by --config or NIGHTSHIFT_CONFIG)" : ""
            throw CommandFailure(.configuration, error.description + hint)
        }
        do {
            return try NightshiftConfiguration.parse(text, fileName: path, home: home)
        } catch {
            throw CommandFailure(.configuration, error.description)
        }
    }

    /// The state folder: `--state`, else `$NIGHTSHIFT_STATE_DIR`, else the configuration's
    /// `[state] dir`, else `$XDG_STATE_HOME/nightshift`, else `~/.local/state/nightshift`.
    public func stateDirectory(explicit: String?, configuration: NightshiftConfiguration) -> String {
        if let explicit { return explicit }
        if let fromEnvironment = variables["NIGHTSHIFT_STATE_DIR"], !fromEnvironment.isEmpty { return fromEnvironment }
        if let configured = configuration.stateDirectory { return configured }
        if let xdg = variables["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/nightshift" }
        return home + "/.local/state/nightshift"
    }

    /// The name recorded on this process's runs and shown beside them in the shared records:
    /// `$NIGHTSHIFT_HOST` (the scheduler sets it to its `--host` for its jobs), else the
    /// machine's host name.
    public var host: String {
        if let host = variables["NIGHTSHIFT_HOST"], !host.isEmpty { return host }
        return StoreHost.current
    }

    /// The audit database in the state folder.
    public func auditLog(stateDirectory: String) throws(CommandFailure) -> AuditLog {
        do {
            return try AuditLog(path: stateDirectory + "/audit.sqlite", host: host)
        } catch {
            throw CommandFailure(
                .configuration, "\(error.description); choose another state folder with --state DIR or NIGHTSHIFT_STATE_DIR")
        }
    }

    /// The shared records nightshift.toml names in `[records]`, or nil.
    public func sharedRecords(_ configuration: NightshiftConfiguration) throws(CommandFailure) -> SharedRecordsSettings? {
        do {
            return try SharedRecordsSettings(configuration: configuration)
        } catch {
            throw CommandFailure(.configuration, "nightshift.toml: \(error.description)")
        }
    }

    /// The API key: `$NIGHTSHIFT_API_KEY`, else the key file (`--key-file` or the configuration's).
    public func apiKey(keyFile: String?, configuration: NightshiftConfiguration) throws(CommandFailure) -> String {
        if let key = variables["NIGHTSHIFT_API_KEY"], !key.isEmpty { return key }
        guard let path = keyFile ?? configuration.keyFile else {
            throw CommandFailure(
                .configuration,
                "no API key: set NIGHTSHIFT_API_KEY, or put the key in a file only you can read (chmod 600) and name it with --key-file or key_file in nightshift.toml")
        }
        do {
            return try KeyFile.read(path)
        } catch {
            throw CommandFailure(.configuration, error.description)
        }
    }
}
