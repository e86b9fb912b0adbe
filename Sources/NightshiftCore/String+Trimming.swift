extension Substring {
    /// The text without the leading and trailing characters in `set` (`" \t"`).
    package func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        guard let first = firstIndex(where: { !chars.contains($0) }), let last = lastIndex(where: { !chars.contains($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

extension String {
    /// The text without the leading and trailing characters in `set` (`" \t"`).
    package func trimmingCharacters(in set: String) -> String { self[...].trimmingCharacters(in: set) }
}
