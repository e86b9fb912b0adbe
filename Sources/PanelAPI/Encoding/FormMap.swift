/// An ordered string-keyed map with PHP array semantics: setting an existing key replaces
/// its value in place, keeping the key's original position.
public struct FormMap: Sendable, Hashable {
    private var storage = OrderedEntries<FormValue>()

    /// The entries, in insertion order, keys unique.
    public var entries: [(key: String, value: FormValue)] { storage.pairs }

    /// Creates an empty map.
    public init() {}

    /// Creates a map from pairs; a repeated key keeps its first position and its last value,
    /// as a PHP array literal does.
    public init(_ pairs: some Sequence<(String, FormValue)>) {
        for (key, value) in pairs { storage[key] = value }
    }

    /// The value for `key`, or `nil`; assigning `nil` removes the key.
    public subscript(key: String) -> FormValue? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    /// The keys in order.
    public var keys: [String] { storage.keys }
    /// Whether the map has no entries.
    public var isEmpty: Bool { storage.pairs.isEmpty }
    /// The number of entries.
    public var count: Int { storage.pairs.count }
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
