import Foundation

/// Where the daemon reads the time. Injected so tests drive the daemon through exact
/// instants; the executable passes `SystemClock`.
public protocol WallClock: Sendable {
    /// Seconds since the epoch.
    func now() -> Double
}

/// The system's wall clock.
public struct SystemClock: WallClock {
    /// Creates the clock.
    public init() {}

    public func now() -> Double { Date().timeIntervalSince1970 }
}
