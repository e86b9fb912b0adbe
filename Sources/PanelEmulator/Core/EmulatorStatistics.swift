import Foundation
import PanelAPI

/// What the emulator has seen, for tests and for its log at exit; served as JSON at
/// `GET /_emulator/stats` (see ``PanelEmulator/statsPath``).
public struct EmulatorStatistics: Sendable, Equatable {
    /// Panel requests received (stats requests excluded), rejected ones included.
    public var requests: Int
    /// Panel requests received and not yet answered.
    public var inFlight: Int
    /// The most panel requests ever in flight at once, from arrival to answer.
    public var maxInFlight: Int
    /// Requests answered HTTP 429 by the flood protection.
    public var rejected429: Int
    /// Writes (`new`, `update`, `add_credits`) that passed the address and key checks, whatever
    /// their answer: what a dry-run must never send.
    public var mutations: Int

    /// Creates statistics.
    public init(requests: Int = 0, inFlight: Int = 0, maxInFlight: Int = 0, rejected429: Int = 0, mutations: Int = 0) {
        self.mutations = mutations
        self.requests = requests
        self.inFlight = inFlight
        self.maxInFlight = maxInFlight
        self.rejected429 = rejected429
    }

    /// `{"requests":N,"in_flight":N,"max_in_flight":N,"rejected_429":N,"mutations":N}`.
    public var json: JSONValue {
        .object([
            "requests": .int(requests), "in_flight": .int(inFlight), "max_in_flight": .int(maxInFlight),
            "rejected_429": .int(rejected429), "mutations": .int(mutations),
        ])
    }
}

/// Counts requests safely from concurrent handlers.
final class StatisticsCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = EmulatorStatistics()

    var snapshot: EmulatorStatistics { lock.withLock { current } }

    func arrive() {
        lock.withLock {
            current.requests += 1
            current.inFlight += 1
            if current.inFlight > current.maxInFlight { current.maxInFlight = current.inFlight }
        }
    }

    func depart() { lock.withLock { current.inFlight -= 1 } }

    func rejected() { lock.withLock { current.rejected429 += 1 } }

    func mutation() { lock.withLock { current.mutations += 1 } }
}
