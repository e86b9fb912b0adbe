import Synchronization

/// A fleet (`nightshift run --panels`) as each of its panels' runs sees it: the fleet's id,
/// kept on every run record, and the credits the whole fleet may move (`--max-credits-total`),
/// shared by the runs, which go at once on threads of their own.
///
/// The cap is exact, not a guess: each write reserves its change here before it is sent (after its own
/// run's caps passed), in one step under a lock, so the panels together never pass the
/// total, whatever the interleaving; a write certainly not applied gives its change back,
/// one whose outcome is unknown keeps it.
public final class FleetLedger: Sendable {
    /// The fleet's id (as a run's: 12 hex digits), on each of its runs' records.
    public let id: String
    /// The most credits the fleet may move (sum of absolute changes); nil: no fleet cap.
    public let cap: Int?
    private let moved = Mutex(0)

    /// A fleet `id` that may move `cap` credits in all (nil: only each run's caps apply).
    public init(id: String, cap: Int?) {
        self.id = id
        self.cap = cap.map { max(0, $0) }
    }

    /// Credits reserved so far, across the fleet.
    public var total: Int { moved.withLock { $0 } }

    /// Why a change was refused: it would pass the fleet's cap.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// The change refused.
        public let change: Int
        /// Credits reserved across the fleet when it was refused.
        public let used: Int
        /// The cap.
        public let cap: Int

        /// What happened and what to do, in one sentence.
        public var description: String {
            "a change of \(change) credits would pass the fleet's cap of \(cap) (--max-credits-total; \(used) moved across the fleet so far)"
        }
    }

    /// Reserves `change` (either sign) or refuses it, in one step.
    public func reserve(_ change: Int) throws(Refusal) {
        guard change != 0 else { return }
        let size = Int(clamping: change.magnitude)
        let cap = self.cap ?? Int.max
        let refused: Int? = moved.withLock { used in
            let (total, overflow) = used.addingReportingOverflow(size)
            if overflow || total > cap { return used }
            used = total
            return nil
        }
        if let used = refused { throw Refusal(change: change, used: used, cap: cap) }
    }

    /// Gives back a change reserved by ``reserve(_:)`` whose write was certainly not applied.
    public func release(_ change: Int) {
        guard change != 0 else { return }
        let size = Int(clamping: change.magnitude)
        moved.withLock { $0 = max(0, $0 - size) }
    }
}
