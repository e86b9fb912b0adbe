/// An ordered string-keyed map with PHP array semantics: setting an existing key replaces
/// its value in place, keeping the key's original position.
public struct FormMap: Sendable, Hashable {
    /// The entries, in insertion order, keys unique.
    public private(set) var entries: [(key: String, value: FormValue)]

    /// Creates an empty map.
    public init() { entries = [] }

    /// Creates a map from pairs; a repeated key keeps its first position and its last value,
    /// as a PHP array literal does.
    public init(_ pairs: some Sequence<(String, FormValue)>) {
        entries = []
        for (key, value) in pairs { self[key] = value }
    }

    /// The value for `key`, or `nil`; assigning `nil` removes the key.
    public subscript(key: String) -> FormValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// The keys in order.
    public var keys: [String] { entries.map(\.key) }
    /// Whether the map has no entries.
    public var isEmpty: Bool { entries.isEmpty }
    /// The number of entries.
    public var count: Int { entries.count }

    /// Two maps are equal when they hold the same keys, in the same order, with equal values.
    public static func == (lhs: FormMap, rhs: FormMap) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Hashes keys and values in order.
    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }
}

extension FormMap: ExpressibleByDictionaryLiteral {
    /// Creates a map keeping the literal's order.
    public init(dictionaryLiteral elements: (String, FormValue)...) { self.init(elements) }
}

extension FormMap: CustomStringConvertible {
    /// A compact rendering: `{id: 5, credits: 25}`.
    public var description: String {
        "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }
}
