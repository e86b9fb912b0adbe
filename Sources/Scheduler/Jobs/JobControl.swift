/// Steering a job from outside the daemon: run it now, pause it, resume it. One code path
/// for `nightshift jobs trigger|pause|resume` and the console's buttons; a running daemon
/// picks the change up on its next tick.
public enum JobControl {
    /// What can be done to a job.
    public enum Action: String, Sendable, CaseIterable {
        /// Run it at the daemon's next tick (`jobs trigger`).
        case trigger
        /// Its slots pass without running until resumed.
        case pause
        /// Run again from its next slot.
        case resume
    }

    /// The job named `name` was not in the jobs file.
    public struct UnknownJob: Error, Sendable, CustomStringConvertible {
        /// The name asked for.
        public let name: String
        /// The jobs file's jobs.
        public let known: [String]
        /// Names the job and the ones there are.
        public var description: String {
            "no job named '\(name)' in the jobs file; jobs: \(known.joined(separator: ", "))"
        }
    }

    /// Looks up `name` in `configuration` and applies `action` in `store` at `now` (seconds
    /// since the epoch).
    /// - Returns: the line to show, e.g. "paused nightly-topup".
    /// - Throws: ``UnknownJob``, or what the store throws.
    public static func perform(
        _ action: Action, job name: String, in configuration: JobConfiguration, store: any SchedulerStore, now: Int64
    ) async throws -> String {
        guard let job = configuration.jobs.first(where: { $0.name == name }) else {
            throw UnknownJob(name: name, known: configuration.jobs.map(\.name))
        }
        switch action {
        case .trigger:
            try await store.addTrigger(job: job.name, at: now)
            return "triggered \(job.name); see `nightshift history \(job.name)`"
        case .pause:
            try await store.setPaused(true, job: job.name, now: now)
            return "paused \(job.name)"
        case .resume:
            try await store.setPaused(false, job: job.name, now: now)
            return "resumed \(job.name)"
        }
    }
}
