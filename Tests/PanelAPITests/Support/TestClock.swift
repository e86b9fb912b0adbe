import PanelAPI
import Synchronization
import Testing

/// A clock that moves only when the test moves it, for a ``RequestGate`` (its `now` and
/// `sleep`) and for transports that note when requests arrive: `now` is the instant the clock
/// was made plus the virtual time the test has advanced, and a sleep until an instant returns
/// once the test has advanced the clock to it (or throws when its task is cancelled). Rates
/// and deadlines are then checked exactly, whatever the machine's speed.
final class TestClock: Sendable {
    private struct Sleeper {
        let id: UInt64
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: ContinuousClock.Instant
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
        var free = false
    }

    /// The instant the clock was made: virtual time 0.
    let start: ContinuousClock.Instant
    private let state: Mutex<State>

    init(start: ContinuousClock.Instant = .now) {
        self.start = start
        state = Mutex(State(now: start))
    }

    /// The current virtual instant.
    var now: ContinuousClock.Instant { state.withLock { $0.now } }

    /// Tasks sleeping on this clock now.
    var sleepers: Int { state.withLock { $0.sleepers.count } }

    /// The earliest instant a sleeper waits for, if any sleeps.
    var nextDeadline: ContinuousClock.Instant? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    /// `now` as a gate or transport takes it.
    var readNow: RequestGate.Now { { [self] in now } }

    /// A gate's sleep on this clock.
    var gateSleep: RequestGate.Sleep { { [self] instant in try await sleep(until: instant) } }

    /// A gate that reads and sleeps on this clock.
    func gate(concurrency: Int, rate: Double? = nil) -> RequestGate {
        RequestGate(concurrency: concurrency, rate: rate, sleep: gateSleep, now: readNow)
    }

    /// Returns once the clock is at `deadline` or past it; throws `CancellationError` when the
    /// task is cancelled first.
    func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = state.withLock { s -> UInt64 in
            s.nextID &+= 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { s -> Result<Void, any Error>? in
                    // Checked under the lock: either this sees the cancellation, or the
                    // handler below finds the sleeper.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if s.free { s.now = max(s.now, deadline) }
                    if deadline <= s.now { return .success(()) }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> Sleeper? in
                guard let index = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `duration` and wakes the sleepers whose deadline it reached.
    func advance(by duration: Duration) {
        advance(to: now + duration)
    }

    /// Moves the clock to `instant` (never back) and wakes the sleepers whose deadline it reached.
    func advance(to instant: ContinuousClock.Instant) {
        let woken = state.withLock { s -> [Sleeper] in
            s.now = max(s.now, instant)
            let now = s.now
            let woken = s.sleepers.filter { $0.deadline <= now }
            s.sleepers.removeAll { $0.deadline <= now }
            return woken
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    /// Moves the clock to the earliest deadline a sleeper waits for, waking it (and any other
    /// sleeper due then); nothing if nobody sleeps.
    func advanceToNextDeadline() {
        if let deadline = nextDeadline { advance(to: deadline) }
    }

    /// From now on every sleep moves the clock to its deadline at once, sleepers now included:
    /// lets a test that failed halfway end instead of waiting forever.
    func runFree() {
        let woken = state.withLock { s -> [Sleeper] in
            s.free = true
            if let latest = s.sleepers.map(\.deadline).max() { s.now = max(s.now, latest) }
            defer { s.sleepers.removeAll() }
            return s.sleepers
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }
}

extension TestClock {
    /// Lets `total` starts paced by a gate on this clock happen one at a time: once `started()`
    /// (starts seen at the transport) has reached the next count and the next caller sleeps
    /// for its turn, moves the clock to the instant the gate asked for, so the order is the
    /// same on every machine. Then runs free, so that a test that failed halfway ends.
    func paceStarts(_ total: Int, sourceLocation: SourceLocation = #_sourceLocation, started: () -> Int) async {
        for count in 1..<total {
            let ready = await HeldTransport.until(
                { started() >= total || (started() >= count && sleepers == 1) }, sourceLocation: sourceLocation)
            guard ready, started() < total else { break }
            advanceToNextDeadline()
        }
        runFree()
    }
}
