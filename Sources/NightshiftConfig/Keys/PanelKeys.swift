import Foundation

/// Finds a panel's API key where operators keep secrets, in the order docs/fleets.md gives:
///
/// 1. the panel's `key_file` (`--key-file` in its place for a run on one panel);
/// 2. `$CREDENTIALS_DIRECTORY/nightshift-NAME` (systemd `LoadCredential=`);
/// 3. `$NIGHTSHIFT_API_KEY_FILE`;
/// 4. `$NIGHTSHIFT_API_KEY` (or the scheduler's, handed over on a pipe), with a note that a
///    file is safer.
///
/// 3 and 4 hold one key, so a fleet (several panels) uses only 1 and 2. Setting both
/// `NIGHTSHIFT_API_KEY` and `NIGHTSHIFT_API_KEY_FILE` is an error, whichever would be used.
public struct PanelKeys: Sendable {
    /// Why no key could be used.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong and what to do.
        public let description: String

        /// Creates a failure.
        public init(description: String) { self.description = description }
    }

    /// The environment's variables (injected: only the executable reads the process's).
    public let variables: [String: String]
    /// `NIGHTSHIFT_API_KEY` of the daemon that started this process, read from the pipe it
    /// handed over; nil when there was none.
    public let handedOver: String?

    /// Creates a finder over `variables`.
    public init(variables: [String: String], handedOver: String? = nil) {
        self.variables = variables
        self.handedOver = handedOver
    }

    /// The systemd credential a panel's key may be loaded as: `nightshift-NAME`.
    public static func credentialName(_ panel: String) -> String { "nightshift-\(panel)" }

    /// `$CREDENTIALS_DIRECTORY`, when set.
    public var credentialsDirectory: String? { value("CREDENTIALS_DIRECTORY") }

    /// The key of `panel`.
    /// - Parameters:
    ///   - keyFile: `--key-file`, which takes the place of the panel's `key_file`.
    ///   - fleet: the run spans several panels: the environment's single key is not used.
    public func key(for panel: PanelDefinition, keyFile: String? = nil, fleet: Bool = false) throws(Failure) -> PanelKey {
        let variable = value("NIGHTSHIFT_API_KEY") ?? handedOver
        let variableFile = value("NIGHTSHIFT_API_KEY_FILE")
        if variable != nil && variableFile != nil {
            throw Failure(
                description: "both NIGHTSHIFT_API_KEY and NIGHTSHIFT_API_KEY_FILE are set: keep one (the file is safer: unset NIGHTSHIFT_API_KEY)")
        }
        let credentials = credentialsDirectory
        func read(_ path: String) throws(Failure) -> String {
            do {
                return try KeyFile.read(path, credentialsDirectory: credentials)
            } catch {
                throw Failure(description: error.description)
            }
        }
        if let path = keyFile ?? panel.keyFile {
            return PanelKey(secret: try read(path), source: .keyFile(path))
        }
        let credential = Self.credentialName(panel.name)
        if let credentials {
            let path = (credentials.hasSuffix("/") ? credentials : credentials + "/") + credential
            var info = stat()
            if lstat(path, &info) == 0 {
                return PanelKey(secret: try read(path), source: .credential(credential))
            }
        }
        if !fleet {
            if let variableFile { return PanelKey(secret: try read(variableFile), source: .keyFileVariable(variableFile)) }
            if let key = value("NIGHTSHIFT_API_KEY") { return PanelKey(secret: key, source: .variable) }
            if let handedOver { return PanelKey(secret: handedOver, source: .handedOver) }
        }
        let section = panel.name == PanelDefinition.defaultName ? "[panel]" : "[panels.\(panel.name)]"
        var text = "no API key for panel \(panel.name): put the key in a file only you can read (chmod 600) and name it with key_file in \(section)"
        text += fleet ? "," : " or --key-file,"
        text += " or load it as the systemd credential \(credential) (LoadCredential=\(credential):FILE)"
        text += fleet
            ? "; NIGHTSHIFT_API_KEY and NIGHTSHIFT_API_KEY_FILE hold one key and serve runs on one panel only"
            : ", or name the file with NIGHTSHIFT_API_KEY_FILE"
        throw Failure(description: text)
    }

    private func value(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }
}
