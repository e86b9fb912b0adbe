import Foundation

/// Faults the emulator injects, to test the client's behaviour when things go wrong.
public struct FaultPlan: Sendable, Hashable {
    /// Added to every request before it is handled; requests wait concurrently, so one slow
    /// request delays no other.
    public var latency: Duration
    /// A uniform random extra of `0...latencyJitter` added to each request's latency
    /// (drawn from the seeded generator).
    public var latencyJitter: Duration
    /// Fraction (0...1) of mutations refused as the panel would
    /// (`{"result":false,"error":"REFUSED (injected fault)"}`) before any change is made.
    public var refusalRate: Double
    /// Fraction (0...1) of requests answered with an HTTP 500 page before any change is made.
    public var errorRate: Double
    /// Fraction (0...1) of requests whose connection is closed without an answer after the
    /// change was made (the worst case for money: applied, but the caller cannot know).
    public var dropRate: Double
    /// Seed of the generator that picks faulty requests.
    public var seed: UInt64

    /// Creates a plan; the default injects nothing.
    public init(
        latency: Duration = .zero, latencyJitter: Duration = .zero, errorRate: Double = 0, dropRate: Double = 0,
        refusalRate: Double = 0, seed: UInt64 = 1
    ) {
        self.latency = latency
        self.latencyJitter = latencyJitter
        self.refusalRate = refusalRate
        self.errorRate = errorRate
        self.dropRate = dropRate
        self.seed = seed
    }

    /// Whether the plan injects anything.
    public var isEmpty: Bool { !delays && errorRate <= 0 && dropRate <= 0 && refusalRate <= 0 }

    /// Whether requests are delayed at all.
    public var delays: Bool { latency > .zero || latencyJitter > .zero }
}

/// Draws fault decisions from a seeded generator, safely from concurrent requests.
final class FaultDice: @unchecked Sendable {
    private let lock = NSLock()
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// True with probability `rate`.
    func roll(_ rate: Double) -> Bool {
        guard rate > 0 else { return false }
        guard rate < 1 else { return true }
        lock.lock()
        defer { lock.unlock() }
        return Double(generator.next() >> 11) / Double(1 << 53) < rate
    }

    /// A uniform duration in `0...limit`, to the microsecond.
    func uniform(upTo limit: Duration) -> Duration {
        guard limit > .zero else { return .zero }
        let micros = UInt64(max(0, limit / .microseconds(1)))
        lock.lock()
        defer { lock.unlock() }
        return .microseconds(Int64(generator.next() % (micros + 1)))
    }
}
