import Foundation
import Scheduler

/// The console's sessions, in memory: they end when the console stops (users log in again).
///
/// - A session unused for `idle` seconds, or older than `lifetime`, is gone.
/// - Login always makes a new session (a new id and a new CSRF token) and ends the one the
///   login form came with, so an id planted before login is worth nothing after it.
/// - Logout ends the session here: its cookie is worth nothing afterwards, even if copied.
/// - The store never adopts an id a client made up: only ids it issued are found.
public actor SessionStore {
    private var sessions: [String: ConsoleSession] = [:]
    private let clock: any WallClock
    private let idle: Double
    private let lifetime: Double
    private let capacity: Int

    /// Creates an empty store.
    /// - Parameters:
    ///   - idle: seconds of disuse after which a session ends.
    ///   - lifetime: seconds after which any session ends (12 hours by default).
    ///   - capacity: the most sessions kept; beyond it, the least recently used go first.
    public init(clock: any WallClock, idle: Double, lifetime: Double = 12 * 3600, capacity: Int = 10_000) {
        self.clock = clock
        self.idle = idle
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The live session `id` names (touching it), or nil.
    public func session(_ id: String?) -> ConsoleSession? {
        guard let id, var session = sessions[id] else { return nil }
        let now = clock.now()
        guard now - session.lastSeen <= idle, now - session.created <= lifetime else {
            sessions[id] = nil
            return nil
        }
        session.lastSeen = now
        sessions[id] = session
        return session
    }

    /// A new session with no user: what the login form is served with.
    public func anonymous() -> ConsoleSession {
        insert(user: nil, role: nil)
    }

    /// Ends the session `previous` (if any) and starts a logged-in one for `user`.
    public func login(replacing previous: String?, user: String, role: ConsoleRole) -> ConsoleSession {
        if let previous { sessions[previous] = nil }
        return insert(user: user, role: role)
    }

    /// Leaves `message` for the next page the session `id` sees.
    public func setFlash(_ id: String, _ message: String) {
        sessions[id]?.flash = message
    }

    /// The message left for the session `id`, removed.
    public func takeFlash(_ id: String) -> String? {
        defer { sessions[id]?.flash = nil }
        return sessions[id]?.flash
    }

    /// Ends the session `id`.
    public func end(_ id: String) {
        sessions[id] = nil
    }

    /// How many sessions are held (tests).
    public var count: Int { sessions.count }

    private func insert(user: String?, role: ConsoleRole?) -> ConsoleSession {
        let now = clock.now()
        if sessions.count >= capacity { evict(now: now) }
        let session = ConsoleSession(
            id: Self.randomToken(), user: user, role: role, csrf: Self.randomToken(), created: now, lastSeen: now)
        sessions[session.id] = session
        return session
    }

    /// Drops expired sessions, then, if still full, the least recently used tenth: login
    /// forms' sessions first, so a flood of login pages cannot push logged-in users out.
    private func evict(now: Double) {
        sessions = sessions.filter { now - $0.value.lastSeen <= idle && now - $0.value.created <= lifetime }
        guard sessions.count >= capacity else { return }
        let oldest = sessions.values.sorted { ($0.isLoggedIn ? 1 : 0, $0.lastSeen) < ($1.isLoggedIn ? 1 : 0, $1.lastSeen) }
            .prefix(max(1, capacity / 10))
        for session in oldest { sessions[session.id] = nil }
    }

    /// 32 random bytes from the system's generator, base64url without padding.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
