/// One browser's session: before login it only carries the login form's CSRF token; after
/// login it names the user and role.
public struct ConsoleSession: Sendable, Equatable {
    /// The cookie's value: 32 random bytes, base64url. A new one is made at login.
    public let id: String
    /// The logged-in user, or nil before login.
    public var user: String?
    /// The user's role when logged in.
    public var role: ConsoleRole?
    /// The token every form of this session carries in its `csrf` field.
    public let csrf: String
    /// When it was made (seconds since the epoch).
    public let created: Double
    /// When it was last used.
    public var lastSeen: Double
    /// A message for the next page this session sees (what an action did), shown once.
    public var flash: String?

    /// Whether a user is logged in.
    public var isLoggedIn: Bool { user != nil }
}
