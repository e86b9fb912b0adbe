import HummingbirdBcrypt
import NIOPosix

/// Checks a login: bcrypt on NIO's thread pool (each check is meant to be slow), and as slow
/// for an unknown name as for a known one, so timing does not tell which names exist.
public struct PasswordCheck: Sendable {
    private let decoy: String

    /// Prepares a decoy hash at the highest cost `users` use (made once: about as long as one
    /// login check).
    public init(users: [ConsoleUser]) {
        let cost = users.map { Self.cost(of: $0.passwordHash) }.max() ?? ConsoleUsers.defaultCost
        decoy = Bcrypt.hash(SessionStore.randomToken(), cost: cost)
    }

    /// The user among `users` whose name is `name` and whose password is `password`, else nil.
    public func check(name: String, password: String, among users: [ConsoleUser]) async throws -> ConsoleUser? {
        let user = users.first { $0.name == name }
        let hash = user?.passwordHash ?? decoy
        // bcrypt reads at most 72 bytes; a longer password is refused rather than truncated.
        let tooLong = password.utf8.count > 72
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard let user, matches, !tooLong else { return nil }
        return user
    }

    /// The cost in a `$2b$12$…` hash; the default when unreadable.
    static func cost(of hash: String) -> UInt8 {
        let parts = hash.split(separator: "$")
        guard parts.count >= 2, let cost = UInt8(parts[1]) else { return ConsoleUsers.defaultCost }
        return cost
    }
}
