/// The name under which a job's runs count against a cluster-wide limit.
public enum PoolName {
    /// The prefix of a job's own pool (`max_running_cluster`): `job:NAME`. Pool names in
    /// `[pools]` cannot contain `:`, so the two never meet.
    public static let jobPrefix = "job:"

    /// The pool a job's runs count against: its `pool`, or its own for `max_running_cluster`.
    public static func of(_ job: Job) -> String? {
        if let pool = job.pool { return pool }
        return job.maxRunningCluster == nil ? nil : jobPrefix + job.name
    }
}
