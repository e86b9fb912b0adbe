/// String-keyed entries in insertion order with unique keys, the way PHP arrays and JSON
/// objects keep them: setting an existing key replaces its value where it stands, setting
/// `nil` removes it. The storage of ``FormMap``, ``JSONObject`` and the emulator's `PHPArray`.
///
/// Lookups scan the entries: panel forms and answers have a handful of keys.
public struct OrderedEntries<Value: Hashable & Sendable>: Sendable, Hashable {
    /// The entries, in insertion order.
    public private(set) var pairs: [(key: String, value: Value)] = []

    /// No entries.
    public init() {}

    /// The value for `key`, or `nil`; assigning `nil` removes the key.
    public subscript(key: String) -> Value? {
        get { pairs.first { $0.key == key }?.value }
        set { set(key, newValue) }
    }

    /// Sets or removes `key`; returns whether it added a new key at the end.
    @discardableResult
    public mutating func set(_ key: String, _ value: Value?) -> Bool {
        if let index = pairs.firstIndex(where: { $0.key == key }) {
            if let value { pairs[index].value = value } else { pairs.remove(at: index) }
            return false
        }
        guard let value else { return false }
        pairs.append((key, value))
        return true
    }

    /// Appends without looking for an existing key (the caller knows it is new).
    public mutating func appendUnchecked(_ key: String, _ value: Value) { pairs.append((key, value)) }

    /// The keys in order.
    public var keys: [String] { pairs.map(\.key) }

    /// Equal when the same keys appear in the same order with equal values.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.pairs.count == rhs.pairs.count && zip(lhs.pairs, rhs.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Hashes keys and values in order.
    public func hash(into hasher: inout Hasher) {
        for pair in pairs {
            hasher.combine(pair.key)
            hasher.combine(pair.value)
        }
    }
}
