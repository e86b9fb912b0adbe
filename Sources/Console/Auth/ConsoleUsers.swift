import Foundation
import HummingbirdBcrypt
import TOMLKit

/// A person who may log in to the console.
public struct ConsoleUser: Sendable, Equatable {
    /// The login name.
    public var name: String
    /// What the user may do.
    public var role: ConsoleRole
    /// The bcrypt hash of the password (`$2b$12$…`); the password itself is never stored.
    public var passwordHash: String

    /// Creates a user.
    public init(name: String, role: ConsoleRole, passwordHash: String) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
    }
}

/// The users file (`[console] users`, `console-users.toml` beside the jobs file): one
/// `[[users]]` table per user with `name`, `role` and `password_hash`. Written by
/// `nightshift console add-user`, private to its owner (0600).
public enum ConsoleUsers {
    /// Why the users file cannot be used, naming the file and what to do.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The message.
        public let description: String
    }

    /// The bcrypt cost `add-user` uses: about a quarter of a second per check on a 2020s core.
    public static let defaultCost: UInt8 = 12

    /// Whether `name` may be a user's name: 1 to 64 letters, digits, `.`, `_` or `-`.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    /// Reads the users; a missing file has none.
    public static func load(path: String) throws(Failure) -> [ConsoleUser] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(path): cannot read the console's users file; check its permissions")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: String(decoding: data, as: UTF8.self))
        } catch {
            throw Failure(description: "\(path): invalid TOML: \(error); fix it or write it again with `nightshift console add-user`")
        }
        guard let list = table["users"] else { return [] }
        guard let array = list.array else { throw Failure(description: "\(path): 'users' must be an array of tables: write [[users]]") }
        var users: [ConsoleUser] = []
        for (index, element) in array.enumerated() {
            let place = "\(path): users[\(index + 1)]"
            guard let user = element.table else { throw Failure(description: "\(place) must be a table") }
            guard let name = user["name"]?.string, isValidName(name) else {
                throw Failure(description: "\(place): 'name' must be 1 to 64 letters, digits, '.', '_' or '-'")
            }
            guard let roleText = user["role"]?.string, let role = ConsoleRole(rawValue: roleText) else {
                throw Failure(
                    description: "\(place) (\(name)): 'role' must be one of \(ConsoleRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let hash = user["password_hash"]?.string, hash.hasPrefix("$2") else {
                throw Failure(
                    description: "\(place) (\(name)): 'password_hash' must be a bcrypt hash; set it with `nightshift console add-user \(name) --role \(roleText)`")
            }
            guard !users.contains(where: { $0.name == name }) else {
                throw Failure(description: "\(place): the user '\(name)' is listed twice")
            }
            users.append(ConsoleUser(name: name, role: role, passwordHash: hash))
        }
        return users
    }

    /// Adds `name` with `role` and `password` (hashed with bcrypt at `cost`), or replaces
    /// that user's role and password, and writes the file (0600, replaced atomically).
    /// - Returns: whether the user was new.
    @discardableResult
    public static func add(
        name: String, role: ConsoleRole, password: String, path: String, cost: UInt8 = defaultCost
    ) throws(Failure) -> Bool {
        guard isValidName(name) else {
            throw Failure(description: "'\(name)' cannot be a user's name: use 1 to 64 letters, digits, '.', '_' or '-'")
        }
        guard password.count >= 12 else {
            throw Failure(description: "the password is too short: use at least 12 characters")
        }
        guard password.utf8.count <= 72 else {
            throw Failure(description: "the password is too long: bcrypt reads at most 72 bytes of it")
        }
        var users = try load(path: path)
        let user = ConsoleUser(name: name, role: role, passwordHash: Bcrypt.hash(password, cost: cost))
        let isNew: Bool
        if let index = users.firstIndex(where: { $0.name == name }) {
            users[index] = user
            isNew = false
        } else {
            users.append(user)
            isNew = true
        }
        try write(users, to: path)
        return isNew
    }

    /// Writes `users` to `path`: a temporary file made 0600 first, then renamed over it.
    static func write(_ users: [ConsoleUser], to path: String) throws(Failure) {
        var text = """
            # Console users, written by `nightshift console add-user NAME --role ROLE`.
            # Roles: viewer, operator, approver, admin. Passwords are bcrypt hashes; none is kept in clear.

            """
        for user in users {
            // Names and hashes use no character TOML would need escaped (checked above).
            text += "\n[[users]]\nname = \"\(user.name)\"\nrole = \"\(user.role.rawValue)\"\npassword_hash = \"\(user.passwordHash)\"\n"
        }
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Failure(description: "\(path): cannot write the console's users file: \(String(cString: strerror(errno)))")
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        fchmod(descriptor, 0o600)
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "\(path): cannot write the console's users file: \(String(cString: strerror(errno)))")
        }
    }
}
