import Scheduler

/// Slows password guessing: too many failed logins for one user name, or from one address,
/// within a window refuse further attempts (without checking the password) until the
/// oldest failure in the window is older than the window.
///
/// A success clears the user's failures, not the address's. Locking a name out is what an
/// attacker who knows it can do to its owner for one window; docs/console.md says so.
public actor LoginThrottle {
    /// The limits.
    public struct Limits: Sendable, Equatable {
        /// Failures per user name within the window before that name is refused.
        public var perUser: Int
        /// Failures per address within the window before that address is refused.
        public var perAddress: Int
        /// The window, in seconds.
        public var window: Double

        /// 5 per user and 20 per address in 15 minutes.
        public static let standard = Limits(perUser: 5, perAddress: 20, window: 15 * 60)

        /// Creates limits.
        public init(perUser: Int, perAddress: Int, window: Double) {
            self.perUser = perUser
            self.perAddress = perAddress
            self.window = window
        }
    }

    /// Why an attempt is refused.
    public struct Refusal: Sendable, Equatable {
        /// `user` or `address`.
        public var scope: String
        /// Whole seconds until an attempt is taken again.
        public var retryAfter: Int
    }

    private let limits: Limits
    private let clock: any WallClock
    private var failuresByUser: [String: [Double]] = [:]
    private var failuresByAddress: [String: [Double]] = [:]
    /// The most names or addresses remembered; beyond it the stalest are forgotten, so a
    /// flood of made-up names cannot fill the memory.
    private let capacity = 10_000

    /// Creates a throttle.
    public init(limits: Limits = .standard, clock: any WallClock) {
        self.limits = limits
        self.clock = clock
    }

    /// Whether an attempt for `user` from `address` may be checked now; nil when it may.
    public func refusal(user: String, address: String) -> Refusal? {
        let now = clock.now()
        if let retry = Self.retryAfter(failuresByUser[user.lowercased()], limit: limits.perUser, window: limits.window, now: now) {
            return Refusal(scope: "user", retryAfter: retry)
        }
        if let retry = Self.retryAfter(failuresByAddress[address], limit: limits.perAddress, window: limits.window, now: now) {
            return Refusal(scope: "address", retryAfter: retry)
        }
        return nil
    }

    /// Counts a failed attempt.
    public func failed(user: String, address: String) {
        let now = clock.now()
        Self.add(now, to: &failuresByUser, key: user.lowercased(), window: limits.window, capacity: capacity)
        Self.add(now, to: &failuresByAddress, key: address, window: limits.window, capacity: capacity)
    }

    /// Clears the user's failures after a successful login.
    public func succeeded(user: String) {
        failuresByUser[user.lowercased()] = nil
    }

    private static func retryAfter(_ failures: [Double]?, limit: Int, window: Double, now: Double) -> Int? {
        guard let failures else { return nil }
        let recent = failures.filter { now - $0 < window }
        guard recent.count >= limit, let oldest = recent.first else { return nil }
        return max(1, Int((oldest + window - now).rounded(.up)))
    }

    private static func add(_ time: Double, to table: inout [String: [Double]], key: String, window: Double, capacity: Int) {
        var failures = (table[key] ?? []).filter { time - $0 < window }
        failures.append(time)
        // Only the newest matter for the limit; a long list is only memory.
        if failures.count > 64 { failures.removeFirst(failures.count - 64) }
        table[key] = failures
        if table.count > capacity {
            table = table.filter { time - ($0.value.last ?? 0) < window }
            if table.count > capacity {
                let stalest = table.sorted { ($0.value.last ?? 0) < ($1.value.last ?? 0) }.prefix(table.count - capacity)
                for entry in stalest { table[entry.key] = nil }
            }
        }
    }
}
