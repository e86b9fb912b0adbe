import PanelAPI

/// A value in `$_POST` as PHP builds it: a string or an array of further inputs.
public indirect enum PHPInput: Sendable, Hashable {
    /// A leaf: PHP request values are always strings (bytes, shown as UTF-8).
    case string(String)
    /// A nested array (`data[name]=...`).
    case array(PHPArray)

    /// The string, if this is a leaf.
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    /// The array, if this is one.
    public var array: PHPArray? { if case .array(let a) = self { a } else { nil } }
}

/// An ordered PHP array with string keys (integer keys in their canonical decimal form).
public struct PHPArray: Sendable, Hashable {
    private var storage = OrderedEntries<PHPInput>()
    // PHP's nNextFreeElement: unset until the first integer key; then the largest + 1.
    private var nextIndex: Int? = nil

    /// The entries in insertion order.
    public var entries: [(key: String, value: PHPInput)] { storage.pairs }

    /// Creates an empty array.
    public init() {}

    /// The value at `key`; assigning keeps the first position of an existing key (last wins).
    public subscript(key: String) -> PHPInput? {
        get { storage[key] }
        set {
            if storage.set(key, newValue), let number = Self.canonicalInt(key), number >= (nextIndex ?? Int.min),
                number < Int.max
            {
                nextIndex = number + 1
            }
        }
    }

    /// The key `$a[] = ...` would use next.
    public var nextAppendKey: String { String(nextIndex ?? 0) }

    /// Whether the array is empty.
    public var isEmpty: Bool { storage.pairs.isEmpty }

    /// Sets the value at `path` (`nil` components append), creating arrays on the way and
    /// replacing strings that stand where an array is needed, as PHP does.
    mutating func set(path: ArraySlice<String?>, value: String) {
        guard let first = path.first else { return }
        let key = first ?? nextAppendKey
        if path.count == 1 {
            self[key] = .string(value)
            return
        }
        var child = self[key]?.array ?? PHPArray()
        child.set(path: path.dropFirst(), value: value)
        self[key] = .array(child)
    }

    /// Equal when entries match in order (the next append key is history, not content).
    public static func == (lhs: PHPArray, rhs: PHPArray) -> Bool { lhs.storage == rhs.storage }

    /// Hashes entries in order.
    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }

    /// `Int(text)` when `text` is PHP's canonical decimal form of an integer ("5", "-5"; not
    /// "05", "+5", "-0").
    static func canonicalInt(_ text: String) -> Int? {
        guard let number = Int(text), String(number) == text else { return nil }
        return number
    }
}
