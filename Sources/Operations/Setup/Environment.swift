import Foundation
import NightshiftCore
import ScriptRuntime
import NightshiftConfig
import RunRecords

/// What the executable reads from the environment and files: configuration, state folder,
/// API key. Only the executable calls it; ScriptRuntime and the other libraries are handed
/// the results.
public struct Environment {
    /// The environment variables read.
    public let variables: [String: String]

    /// `NIGHTSHIFT_API_KEY` of the daemon that started this process, handed over on a pipe.
    public let handedOver: String?

    /// The process environment, or given variables (tests).
    public init(variables: [String: String] = ProcessInfo.processInfo.environment, handedOver: String? = KeyHandOver.key) {
        self.variables = variables
        self.handedOver = handedOver
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

    /// Where panels' keys are found: these variables, and the key the scheduler handed over.
    public var keys: PanelKeys { PanelKeys(variables: variables, handedOver: handedOver) }

    /// The API key of `panel`, in the order docs/fleets.md gives (``PanelKeys``).
    /// - Parameters:
    ///   - keyFile: `--key-file`, in place of the panel's `key_file`.
    ///   - fleet: the run spans several panels (the environment's one key is not used).
    public func key(for panel: PanelDefinition, keyFile: String? = nil, fleet: Bool = false) throws(CommandFailure) -> PanelKey {
        do {
            return try keys.key(for: panel, keyFile: keyFile, fleet: fleet)
        } catch {
            throw CommandFailure(.configuration, error.description)
        }
    }

    /// Every panel's key for a fleet, in order; or, when any is missing or unsafe, one
    /// failure: `heading`, then a line per such panel.
    public func fleetKeys(_ panels: [PanelDefinition], heading: String) throws(CommandFailure) -> [PanelKey] {
        var found: [PanelKey] = []
        var problems: [String] = []
        for panel in panels {
            do {
                found.append(try key(for: panel, fleet: true))
            } catch {
                problems.append("  \(panel.name): \(error.message)")
            }
        }
        guard problems.isEmpty else { throw CommandFailure(.configuration, ([heading] + problems).joined(separator: "\n")) }
        return found
    }
}
