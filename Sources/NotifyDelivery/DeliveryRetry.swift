/// Repeats one delivery's attempts with waits between them, for as long as the caller says
/// a receipt is worth another try.
public enum DeliveryRetry {
    /// Runs `attempt` until it gives a receipt `shouldRetry` declines, the waits run out, or
    /// the calling task is cancelled during a wait (then the last receipt stands).
    /// - Parameters:
    ///   - delays: one wait per retry (so at most `delays.count + 1` attempts).
    ///   - shouldRetry: whether a receipt may be followed by another attempt; a delivery
    ///     whose outcome is unknown must never be retried blindly.
    /// - Returns: the last receipt, with `attempts` counted.
    public static func deliver(
        delays: [Duration], shouldRetry: (NotifyReceipt) -> Bool, attempt: () async -> NotifyReceipt
    ) async -> NotifyReceipt {
        var attempts = 0
        while true {
            var receipt = await attempt()
            attempts += 1
            receipt.attempts = attempts
            guard shouldRetry(receipt), attempts <= delays.count else { return receipt }
            do { try await Task.sleep(for: delays[attempts - 1]) } catch { return receipt }
        }
    }
}
