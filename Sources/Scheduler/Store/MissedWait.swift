/// The reason recorded on a waiting run that no daemon claimed within `late_after`.
/// PostgreSQL writes the same words in its snapshot statement (PostgresStore+Capacity).
enum MissedWait {
    /// `missed: waited 61 s for a free place (pool panel-eu), more than late_after (1m)`.
    static func reason(waited: Double, pool: String?, lateAfter: Int64) -> String {
        "missed: waited \(Int64(waited.rounded(.down))) s for a free place\(note(pool)), more than late_after (\(DurationText.text(lateAfter)))"
    }

    /// Which cluster-wide limit the run also waited for, if any.
    static func note(_ pool: String?) -> String {
        guard let pool else { return "" }
        return pool.hasPrefix(PoolName.jobPrefix) ? " (max_running_cluster)" : " (pool \(pool))"
    }
}
