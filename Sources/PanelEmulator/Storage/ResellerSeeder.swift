import PanelAPI

/// Makes realistic resellers, deterministically from a seed, for `--seed N`.
public struct ResellerSeeder: Sendable {
    private static let first = [
        "alpha", "nova", "stream", "prime", "royal", "sky", "star", "ultra", "mega", "city", "gold", "blue", "max",
        "smart", "north", "delta", "orbit", "zen", "atlas", "vista",
    ]
    private static let second = [
        "tv", "iptv", "media", "cast", "vision", "net", "play", "hub", "box", "live", "link", "view",
    ]
    private static let domains = ["gmail.com", "outlook.com", "proton.me", "yahoo.com", "mail.ru", "gmx.de"]

    /// The random seed; the same seed gives the same resellers.
    public let seed: UInt64

    /// Creates a seeder.
    public init(seed: UInt64 = 0x4E49_4748_5453_4854) { self.seed = seed }

    /// `count` resellers with unique usernames.
    public func make(count: Int) -> [StoredReseller] {
        var rng = SplitMix64(seed: seed)
        var result: [StoredReseller] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let name = Self.first[Int(rng.next() % UInt64(Self.first.count))]
                + Self.second[Int(rng.next() % UInt64(Self.second.count))] + String(index + 1)
            let registered = 1_600_000_000 + Int(rng.next() % 150_000_000)
            var extra = JSONObject()
            extra["email"] = .string("\(name)@\(Self.domains[Int(rng.next() % UInt64(Self.domains.count))])")
            extra["owner_id"] = .int(rng.next() % 10 == 0 ? Int(rng.next() % 50) + 1 : 0)
            extra["date_registered"] = .int(registered)
            extra["reseller_dns"] = .string(rng.next() % 3 == 0 ? "http://\(name).example:8080" : "")
            extra["notes"] = .string(rng.next() % 4 == 0 ? "VIP since \(2019 + Int(rng.next() % 6))" : "")
            result.append(
                StoredReseller(
                    id: 0, username: name, credits: Int(rng.next() % 5001),
                    maxAllowedConnections: [1, 2, 5, 10, 50, 100, 500][Int(rng.next() % 7)],
                    useCredits: rng.next() % 10 != 0, status: rng.next() % 12 == 0 ? 0 : 1, extra: extra))
        }
        return result
    }
}

/// A small, fast, seedable generator (Vigna's SplitMix64).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
