import Crypto
import Foundation
import NightshiftCore

#if canImport(Glibc)
    import Glibc
#endif

/// Approvers' Ed25519 keys: made by `nightshift keys new NAME`, the private half in a file
/// only its owner may read (refused otherwise, as ssh refuses), the public half listed in
/// nightshift.toml's `[approvals]`.
public enum PlanKeys {
    /// Why a key could not be made or used.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong and what to do.
        public let description: String
        init(_ description: String) { self.description = description }
    }

    static let header = "nightshift ed25519 private key v1"

    /// A new key pair: writes `NAME.key` (mode 0600, refused if it exists) in `folder` and
    /// returns its path and the public key, base64, for `[approvals]`.
    public static func make(name: String, folder: String) throws(Failure) -> (path: String, publicKey: String) {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }), name.first != "." else {
            throw Failure("'\(name)' cannot be a key's name: use letters, digits, '_', '-' and '.'")
        }
        let key = Curve25519.Signing.PrivateKey()
        let path = (folder as NSString).appendingPathComponent(name + ".key")
        let text = header + "\n" + key.rawRepresentation.base64EncodedString() + "\n"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it exists; choose another name or move it away first" : String(cString: strerror(errno))
            throw Failure("cannot write the key file \(path): \(reason)")
        }
        defer { close(descriptor) }
        // The umask cannot widen 0600, but one that strips it further is fine.
        fchmod(descriptor, 0o600)
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            unlink(path)
            throw Failure("cannot write the key file \(path): \(String(cString: strerror(errno)))")
        }
        return (path, key.publicKey.rawRepresentation.base64EncodedString())
    }

    /// The private key in `path`. Refused when group or others may read or write it, as ssh
    /// refuses such a file: anyone who can read it can approve plans.
    public static func load(_ path: String) throws(Failure) -> Curve25519.Signing.PrivateKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Failure("cannot read the key file \(path): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & 0o077 != 0 {
            throw Failure(
                "the key file \(path) can be read or changed by other users (mode \(String(info.st_mode & 0o777, radix: 8))): anyone who reads it can approve plans in your name; run: chmod 600 \(path)")
        }
        let text: String
        do {
            text = try FileRead.text(path, what: "the key file", limit: 4096)
        } catch {
            throw Failure(error.description)
        }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard lines.count == 2, lines[0] == header, let raw = Data(base64Encoded: lines[1]),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else {
            throw Failure("\(path) is not a key made by nightshift keys new")
        }
        return key
    }

    /// The public key of a private one, base64, as `[approvals]` lists it.
    public static func publicKey(of key: Curve25519.Signing.PrivateKey) -> String {
        key.publicKey.rawRepresentation.base64EncodedString()
    }
}
