import Foundation
import NightshiftConfig
import TestScratch
import Testing

/// Where a panel's key comes from, and the files and variables that are refused: each case
/// with its exact outcome (docs/fleets.md, "Keys").
@Suite("API keys: files, credentials and variables")
struct KeySourceTests {
    /// A key file in a fresh folder, with `mode`.
    static func keyFile(_ text: String, mode: mode_t = 0o600, in folder: String? = nil, name: String = "key") throws -> String {
        let folder = try folder ?? Scratch.folder("keys")
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    static let eu = PanelDefinition(name: "eu", url: "http://127.0.0.1:1/")

    @Test("a key file others can read (0644) is refused, and the message gives the chmod to run")
    func worldReadable() throws {
        let path = try Self.keyFile("k-eu\n", mode: 0o644)
        #expect(throws: KeyFile.Failure("the key file \(path) can be read or changed by other users (mode 644); run: chmod 600 \(path)")) {
            try KeyFile.read(path)
        }
        chmod(path, 0o600)
        #expect(try KeyFile.read(path) == "k-eu")
    }

    @Test("a key file only its group can read (0640) is refused too")
    func groupReadable() throws {
        let path = try Self.keyFile("k", mode: 0o640)
        #expect(throws: KeyFile.Failure("the key file \(path) can be read or changed by other users (mode 640); run: chmod 600 \(path)")) {
            try KeyFile.read(path)
        }
    }

    @Test("a key file that is a symbolic link to a world-readable file is refused, naming the file to chmod")
    func symlinkToWorldReadable() throws {
        let folder = try Scratch.folder("keys")
        let target = try Self.keyFile("k\n", mode: 0o644, in: folder, name: "real.key")
        let link = folder + "/link.key"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(throws: KeyFile.Failure(
            "the key file \(link) is a symbolic link to \(target), which other users can read or change (mode 644); run: chmod 600 \(target)")) {
            try KeyFile.read(link)
        }
        chmod(target, 0o600)
        #expect(try KeyFile.read(link) == "k")
    }

    @Test("an empty key file, or one holding only a newline, is refused")
    func empty() throws {
        for text in ["", "\n"] {
            let path = try Self.keyFile(text)
            #expect(throws: KeyFile.Failure("the key file \(path) is empty: put the panel's API key in it, alone on one line")) {
                try KeyFile.read(path)
            }
        }
    }

    @Test("a trailing newline (\\n or \\r\\n) is trimmed; the key is otherwise kept exactly")
    func trailingNewline() throws {
        #expect(try KeyFile.read(try Self.keyFile("abc-123\n")) == "abc-123")
        #expect(try KeyFile.read(try Self.keyFile("abc-123\r\n")) == "abc-123")
        #expect(try KeyFile.read(try Self.keyFile("abc-123\n\n")) == "abc-123")
        #expect(try KeyFile.read(try Self.keyFile("abc-123")) == "abc-123")
    }

    @Test("a key file with a second line, or spaces beside the key, is refused rather than sent as a wrong key")
    func extraContent() throws {
        let twoLines = try Self.keyFile("k1\nk2\n")
        #expect(throws: KeyFile.Failure("the key file \(twoLines) holds more than one line: keep only the panel's API key in it, on one line")) {
            try KeyFile.read(twoLines)
        }
        let spaced = try Self.keyFile("k1 \n")
        #expect(throws: KeyFile.Failure(
            "the key file \(spaced) holds spaces or control characters beside the key: keep only the panel's API key in it")) {
            try KeyFile.read(spaced)
        }
    }

    @Test("in $CREDENTIALS_DIRECTORY, nightshift-NAME is the panel's key, whatever its mode; a link out of it is not trusted")
    func credentialsDirectory() throws {
        let credentials = try Scratch.folder("credentials")
        _ = try Self.keyFile("k-from-systemd\n", mode: 0o644, in: credentials, name: "nightshift-eu")
        let keys = PanelKeys(variables: ["CREDENTIALS_DIRECTORY": credentials])
        let key = try keys.key(for: Self.eu)
        #expect(key.secret == "k-from-systemd")
        #expect(key.source == .credential("nightshift-eu"))
        #expect(key.note == nil)

        let outside = try Self.keyFile("k-outside", mode: 0o644)
        try FileManager.default.createSymbolicLink(atPath: credentials + "/nightshift-us", withDestinationPath: outside)
        let us = PanelDefinition(name: "us", url: "http://127.0.0.1:1/")
        #expect(throws: PanelKeys.Failure(
            description: "the key file \(credentials)/nightshift-us is a symbolic link to \(outside), which other users can read or change (mode 644); run: chmod 600 \(outside)")) {
            try keys.key(for: us)
        }
    }

    @Test("the order: key_file, then the credential, then NIGHTSHIFT_API_KEY_FILE, then NIGHTSHIFT_API_KEY with a note")
    func order() throws {
        let credentials = try Scratch.folder("credentials")
        _ = try Self.keyFile("k-credential", in: credentials, name: "nightshift-eu")
        let own = try Self.keyFile("k-own")
        let variableFile = try Self.keyFile("k-variable-file")
        var panel = Self.eu
        panel.keyFile = own

        let everything = PanelKeys(variables: ["CREDENTIALS_DIRECTORY": credentials, "NIGHTSHIFT_API_KEY_FILE": variableFile])
        #expect(try everything.key(for: panel).source == .keyFile(own))
        #expect(try everything.key(for: panel, keyFile: variableFile).secret == "k-variable-file")
        #expect(try everything.key(for: Self.eu).source == .credential("nightshift-eu"))
        let noCredential = PanelDefinition(name: "us", url: "http://127.0.0.1:1/")
        #expect(try everything.key(for: noCredential).source == .keyFileVariable(variableFile))
        #expect(try everything.key(for: noCredential).secret == "k-variable-file")

        let variable = try PanelKeys(variables: ["NIGHTSHIFT_API_KEY": "k-variable"]).key(for: noCredential)
        #expect(variable.secret == "k-variable")
        #expect(variable.source == .variable)
        #expect(variable.note == "note: the API key comes from NIGHTSHIFT_API_KEY; a key file is safer (chmod 600, then key_file or NIGHTSHIFT_API_KEY_FILE; docs/fleets.md)")
        let handed = try PanelKeys(variables: [:], handedOver: "k-handed").key(for: noCredential)
        #expect(handed.secret == "k-handed")
        #expect(handed.source == .handedOver)
        #expect(handed.note != nil)
    }

    @Test("NIGHTSHIFT_API_KEY and NIGHTSHIFT_API_KEY_FILE both set is an error, even when a key_file would be used")
    func variableAndFile() throws {
        let own = try Self.keyFile("k-own")
        var panel = Self.eu
        panel.keyFile = own
        let keys = PanelKeys(variables: ["NIGHTSHIFT_API_KEY": "k", "NIGHTSHIFT_API_KEY_FILE": own])
        let failure = PanelKeys.Failure(
            description: "both NIGHTSHIFT_API_KEY and NIGHTSHIFT_API_KEY_FILE are set: keep one (the file is safer: unset NIGHTSHIFT_API_KEY)")
        #expect(throws: failure) { try keys.key(for: panel) }
        #expect(throws: failure) { try PanelKeys(variables: ["NIGHTSHIFT_API_KEY_FILE": own], handedOver: "k").key(for: panel) }
    }

    @Test("a fleet's panel never takes the environment's one key: it needs its key_file or credential")
    func fleetIgnoresVariables() throws {
        let keys = PanelKeys(variables: ["NIGHTSHIFT_API_KEY": "k-shared"])
        #expect(try keys.key(for: Self.eu).secret == "k-shared")
        #expect(throws: PanelKeys.Failure(
            description: "no API key for panel eu: put the key in a file only you can read (chmod 600) and name it with key_file in [panels.eu], or load it as the systemd credential nightshift-eu (LoadCredential=nightshift-eu:FILE); NIGHTSHIFT_API_KEY and NIGHTSHIFT_API_KEY_FILE hold one key and serve runs on one panel only")) {
            try keys.key(for: Self.eu, fleet: true)
        }
    }

    @Test("no key anywhere names every place one may be put")
    func none() {
        #expect(throws: PanelKeys.Failure(
            description: "no API key for panel default: put the key in a file only you can read (chmod 600) and name it with key_file in [panel] or --key-file, or load it as the systemd credential nightshift-default (LoadCredential=nightshift-default:FILE), or name the file with NIGHTSHIFT_API_KEY_FILE")) {
            try PanelKeys(variables: [:]).key(for: PanelDefinition(name: PanelDefinition.defaultName))
        }
    }
}
