import Foundation

/// Faults the emulator injects, to test the client's behaviour when things go wrong.
public struct FaultPlan: Sendable, Hashable {
    /// Added to every request before it is handled.
    public var latency: Duration
    /// Fraction (0...1) of requests answered with an HTTP 500 page before any change is made.
    public var errorRate: Double
    /// Fraction (0...1) of requests whose connection is closed without an answer after the
    /// change was made (the worst case for money: applied, but the caller cannot know).
    public var dropRate: Double
    /// Seed of the generator that picks faulty requests.
    public var seed: UInt64

    /// Creates a plan; the default injects nothing.
    public init(latency: Duration = .zero, errorRate: Double = 0, dropRate: Double = 0, seed: UInt64 = 1) {
        self.latency = latency
        self.errorRate = errorRate
        self.dropRate = dropRate
        self.seed = seed
    }

    /// Whether the plan injects anything.
    public var isEmpty: Bool { latency == .zero && errorRate <= 0 && dropRate <= 0 }
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
}
