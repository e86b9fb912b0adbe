extension Duration {
    /// Whole milliseconds, for NIO's `TimeAmount`.
    public var wholeMilliseconds: Int64 {
        let (seconds, atto) = components
        return seconds * 1000 + atto / 1_000_000_000_000_000
    }
}
