import Synchronization

/// The door every attempt of every call of one ``PanelClient`` passes before it is handed to
/// the transport: at most `concurrency` requests at the transport at once, starts paced at
/// `rate` per second (a token bucket holding 1 token: after an idle moment only one request
/// starts at once; starts a busy machine delayed are made up, at most 4 in a row), and none
/// at all while the shared overload backoff is in force.
///
/// The fast path (a slot free, a token ready, no backoff, nobody waiting) takes one lock and
/// neither suspends nor starts a task. Otherwise the caller waits in a FIFO queue (a resend
/// after an overload answer goes to its front) and is resumed by a finishing request. While
/// time, not a slot, holds the queue back (a rate token, the backoff), the first waiter
/// sleeps until then in its own task, on its own executor, and the others wait behind it:
/// the gate starts no task and keeps no timer of its own.
///
/// The gate reads the time from its `now` and waits with its `sleep` (the continuous clock
/// by default): a test that gives it a clock of its own checks rates and deadlines exactly,
/// whatever the machine's speed.
public final class RequestGate: Sendable {
    /// A slot held at the transport; give it back with ``leave(_:)`` or
    /// ``leaveOverloaded(_:retryAfter:policy:)``.
    public struct Ticket: Sendable {
        /// The backoff epoch when the slot was granted: an overload answer raises the backoff
        /// only if no other backoff was decided since its request was sent.
        let epoch: Int
    }

    /// What a waiter is resumed with.
    private enum Wake: Sendable {
        /// Go: a slot (and token) is yours.
        case granted(Ticket)
        /// You are first in line, but time holds you back: sleep until then, then come back.
        case sleep(until: ContinuousClock.Instant)
        /// Your task was cancelled: you hold nothing.
        case cancelled
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Wake, Never>
    }

    private struct State {
        var inFlight = 0
        var waiters: [Waiter] = []
        var head = 0
        var nextID: UInt64 = 0
        /// The earliest start the token bucket allows (nil: a token is ready).
        var nextStart: ContinuousClock.Instant?
        /// Until when the shared overload backoff holds every request back.
        var backoffUntil: ContinuousClock.Instant?
        var epoch = 0
        var streak = 0
        /// The first waiter is sleeping until time lets it go; nobody overtakes it.
        var sleeping = false

        var hasWaiters: Bool { head < waiters.count }
    }

    /// How many intervals of delay the rate schedule makes up (see ``tryEnter()``): at most
    /// this many starts can follow each other closely after the machine stalled.
    static let catchUp = 4

    /// The most requests handed to the transport at once.
    public let concurrency: Int
    /// Requests started per second at most, or nil for no limit.
    public let rate: Double?
    private let interval: Duration?
    private let sleep: Sleep
    private let now: Now
    private let state = Mutex(State())

    /// Sleeps until an instant; throws when the sleeping task is cancelled.
    public typealias Sleep = @Sendable (ContinuousClock.Instant) async throws -> Void
    /// The current instant of the clock `Sleep` sleeps on.
    public typealias Now = @Sendable () -> ContinuousClock.Instant

    /// Creates a gate.
    ///
    /// - Parameters:
    ///   - concurrency: requests at the transport at once (at least 1).
    ///   - rate: starts per second (greater than 0), or nil for no pacing.
    ///   - sleep: how the first waiter sleeps until time lets it go; `Task.sleep` by default.
    ///   - now: the current instant, on the clock `sleep` sleeps on; `ContinuousClock.now` by
    ///     default. Tests inject both, to move time themselves.
    public init(
        concurrency: Int, rate: Double? = nil,
        sleep: @escaping Sleep = { try await Task.sleep(until: $0, clock: .continuous) },
        now: @escaping Now = { ContinuousClock.now }
    ) {
        self.concurrency = max(1, concurrency)
        self.rate = rate.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        self.interval = self.rate.map { .nanoseconds(Int64((1e9 / $0).rounded())) }
        self.sleep = sleep
        self.now = now
    }

    /// Requests currently holding a slot.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Callers waiting to go: those queued, and the first in line while it sleeps until time
    /// lets it go. Tests wait for it to know a caller is in line, rather than for a time.
    public var waiting: Int {
        state.withLock { s in s.waiters.count - s.head + (s.sleeping ? 1 : 0) }
    }

    /// Until when the shared backoff holds requests back, if it does.
    public var backoffUntil: ContinuousClock.Instant? {
        let now = self.now()
        return state.withLock { s in s.backoffUntil.flatMap { $0 > now ? $0 : nil } }
    }

    /// A slot at once, without waiting, or nil when the caller has to ``enter(front:)``.
    @inline(__always)
    public func tryEnter() -> Ticket? {
        state.withLock { s -> Ticket? in
            guard !s.hasWaiters, !s.sleeping, s.inFlight < concurrency else { return nil }
            if s.backoffUntil != nil || interval != nil {
                guard takeTimedPermission(&s, now: self.now()) == nil else { return nil }
            }
            s.inFlight += 1
            return Ticket(epoch: s.epoch)
        }
    }

    /// Waits for a slot, a rate token and the end of any backoff, in FIFO order; nil when the
    /// calling task is cancelled first (it then holds nothing).
    ///
    /// - Parameter front: queue at the front: for a resend after an overload answer, which
    ///   already waited its turn once.
    public func enter(front: Bool = false) async -> Ticket? {
        if !front, let ticket = tryEnter() { return ticket }
        var front = front
        var wasSleeping = false
        while true {
            switch await park(front: front, wasSleeping: wasSleeping) {
            case .granted(let ticket):
                return ticket
            case .cancelled:
                return nil
            case .sleep(let instant):
                do {
                    try await sleep(instant)
                } catch {
                    // Cancelled while first in line: let the next waiter take the lead.
                    let wakes = state.withLock { s -> [(CheckedContinuation<Wake, Never>, Wake)] in
                        s.sleeping = false
                        return dispatch(&s)
                    }
                    resume(wakes)
                    return nil
                }
                // Still first in line: back to the front of the queue.
                front = true
                wasSleeping = true
            }
        }
    }

    /// Queues the caller and waits until it is granted, told to sleep, or cancelled.
    private func park(front: Bool, wasSleeping: Bool) async -> Wake {
        let id = state.withLock { s -> UInt64 in
            s.nextID &+= 1
            return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Wake, Never>) in
                let wakes = state.withLock { s -> [(CheckedContinuation<Wake, Never>, Wake)] in
                    if wasSleeping { s.sleeping = false }
                    // Checked under the lock: either this sees the cancellation, or the
                    // handler below finds the waiter in the queue.
                    if Task.isCancelled { return [(continuation, .cancelled)] + (wasSleeping ? dispatch(&s) : []) }
                    let waiter = Waiter(id: id, continuation: continuation)
                    if front && s.head > 0 {
                        s.head -= 1
                        s.waiters[s.head] = waiter
                    } else if front {
                        s.waiters.insert(waiter, at: s.head)
                    } else {
                        s.waiters.append(waiter)
                    }
                    return dispatch(&s)
                }
                resume(wakes)
            }
        } onCancel: {
            let waiter = state.withLock { s -> Waiter? in
                guard let index = s.waiters[s.head...].firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: .cancelled)
        }
    }

    /// Gives a slot back after an answer that was not an overload (or after no answer).
    public func leave(_ ticket: Ticket) {
        let wakes = state.withLock { s -> [(CheckedContinuation<Wake, Never>, Wake)] in
            s.inFlight -= 1
            if s.streak != 0 && ticket.epoch == s.epoch { s.streak = 0 }
            return s.hasWaiters ? dispatch(&s) : []
        }
        resume(wakes)
    }

    /// Gives a slot back after the panel said it is overloaded, and holds every request of
    /// the client back: `retryAfter` (if the panel gave one) plus full jitter over the
    /// policy's current ceiling. Returns how long the backoff now lasts from this moment.
    @discardableResult
    public func leaveOverloaded(_ ticket: Ticket, retryAfter: Duration?, policy: OverloadPolicy) -> Duration {
        let now = self.now()
        let (wakes, remaining) = state.withLock { s -> ([(CheckedContinuation<Wake, Never>, Wake)], Duration) in
            s.inFlight -= 1
            if ticket.epoch == s.epoch {
                // The first overload answer to a request sent since the last backoff was
                // decided: back off further. Answers to requests already in flight when it
                // was decided only make sure their Retry-After is honoured.
                s.streak += 1
                s.epoch += 1
                let ceiling = policy.ceiling(streak: s.streak)
                let jitter = ceiling * Double.random(in: 0...1)
                let until = now + (retryAfter ?? .zero) + jitter
                s.backoffUntil = max(s.backoffUntil ?? until, until)
            } else if let retryAfter {
                let until = now + retryAfter
                s.backoffUntil = max(s.backoffUntil ?? until, until)
            }
            let remaining = s.backoffUntil.map { $0 > now ? now.duration(to: $0) : .zero } ?? .zero
            return (s.hasWaiters ? dispatch(&s) : [], remaining)
        }
        resume(wakes)
        return remaining
    }

    // MARK: Waking waiters

    /// Whether a start is allowed at `now` by the backoff and the token bucket, taking the
    /// token if so; otherwise the instant to try again.
    private func takeTimedPermission(_ s: inout State, now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        if let until = s.backoffUntil {
            if now < until { return until }
            s.backoffUntil = nil
        }
        if let interval {
            if let next = s.nextStart, now < next { return next }
            // Starts follow a schedule 1/R apart. A start that a busy machine delayed (a late
            // timer, a slow resume) by less than `catchUp` intervals is made up, so the pace
            // holds; a longer gap is idleness, after which the schedule starts afresh from
            // now, so an idle client never bursts.
            let base = s.nextStart.map { now - $0 < interval * Self.catchUp ? $0 : now } ?? now
            s.nextStart = base + interval
        }
        return nil
    }

    /// Grants slots to waiters, front first, while slots, tokens and the backoff allow; when
    /// time holds the first waiter back, tells it to sleep. Returns whom to resume with what
    /// (resumed outside the lock).
    private func dispatch(_ s: inout State) -> [(CheckedContinuation<Wake, Never>, Wake)] {
        var wakes: [(CheckedContinuation<Wake, Never>, Wake)] = []
        let timed = interval != nil || s.backoffUntil != nil
        // A sleeping first waiter goes first when time allows: nobody overtakes it.
        if timed && s.sleeping { return wakes }
        let now = self.now()
        while s.hasWaiters && s.inFlight < concurrency {
            let waiter = s.waiters[s.head]
            s.head += 1
            if timed, let retry = takeTimedPermission(&s, now: now) {
                s.sleeping = true
                wakes.append((waiter.continuation, .sleep(until: retry)))
                break
            }
            s.inFlight += 1
            wakes.append((waiter.continuation, .granted(Ticket(epoch: s.epoch))))
        }
        if s.head > 64 && s.head * 2 > s.waiters.count {
            s.waiters.removeFirst(s.head)
            s.head = 0
        } else if !s.hasWaiters {
            s.waiters.removeAll(keepingCapacity: true)
            s.head = 0
        }
        return wakes
    }

    private func resume(_ wakes: [(CheckedContinuation<Wake, Never>, Wake)]) {
        for (continuation, wake) in wakes { continuation.resume(returning: wake) }
    }
}
