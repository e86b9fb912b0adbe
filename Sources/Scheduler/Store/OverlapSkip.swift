/// Why the store recorded an offered slot `skipped` instead of letting it wait: the job's
/// overlap policy, applied where every host's runs are seen. SQLite decides with `decide`;
/// PostgreSQL decides the same way inside the offer statement (PostgresStore+Capacity), with
/// these reasons as parameters.
public enum OverlapSkip: Int, Sendable, CaseIterable {
    /// `skip`: a run of the job was running, claimed or waiting.
    case running = 1
    /// `skip`: only a retry of an earlier slot was waiting.
    case retryWaiting = 2
    /// `queue`: a run was already waiting.
    case queueFull = 3

    /// What the skipped row's reason says.
    public var reason: String {
        switch self {
        case .running: "the previous run was still running (overlap policy skip)"
        case .retryWaiting: "a retry of an earlier slot was still waiting to start (overlap policy skip)"
        case .queueFull: "a run was already queued (overlap policy queue)"
        }
    }

    /// What a store knows about a job when one of its slots is offered.
    public struct Activity: Sendable {
        /// A run of the job is claimed by a host (queued there, or running).
        public var held: Bool
        /// A run of the job waits for a place (offered, claimed by no host).
        public var waiting: Bool
        /// One of the waiting runs is a retry (attempt 2…).
        public var retryWaiting: Bool
        /// One of the waiting runs is not a catch-up replay.
        public var onTimeWaiting: Bool

        /// Creates one.
        public init(held: Bool, waiting: Bool, retryWaiting: Bool, onTimeWaiting: Bool) {
            self.held = held
            self.waiting = waiting
            self.retryWaiting = retryWaiting
            self.onTimeWaiting = onTimeWaiting
        }
    }

    /// The policy: only a scheduled slot's first attempt can be skipped (a catch-up replay,
    /// a trigger and a retry wait their turn); `allow` never skips.
    public static func decide(_ offer: SlotOffer, _ job: Activity) -> OverlapSkip? {
        guard offer.kind == .scheduled, offer.attempt == 1 else { return nil }
        switch offer.overlap {
        case .allow:
            return nil
        case .skip:
            guard job.held || job.waiting else { return nil }
            return !job.held && job.retryWaiting ? .retryWaiting : .running
        case .queue:
            return job.onTimeWaiting ? .queueFull : nil
        }
    }
}
