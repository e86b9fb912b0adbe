import Foundation

/// The emulator's flood protection: a sliding one-second window. A request is admitted when
/// fewer than `limit` requests were admitted in the second before it arrived; rejected
/// requests do not count towards the window.
final class FloodGuard: @unchecked Sendable {
    private let lock = NSLock()
    private let limit: Int
    /// Arrival times of the last `limit` admitted requests, as a ring.
    private var admitted: [ContinuousClock.Instant]
    private var next = 0

    init(limit: Int) {
        self.limit = max(1, limit)
        self.admitted = []
        self.admitted.reserveCapacity(self.limit)
    }

    /// Whether a request arriving at `now` is admitted (and if so, counted).
    func admit(at now: ContinuousClock.Instant) -> Bool {
        lock.withLock {
            if admitted.count < limit {
                admitted.append(now)
                return true
            }
            // The oldest of the last `limit` admissions is inside the window: full.
            guard admitted[next].duration(to: now) >= .seconds(1) else { return false }
            admitted[next] = now
            next = (next + 1) % limit
            return true
        }
    }
}
