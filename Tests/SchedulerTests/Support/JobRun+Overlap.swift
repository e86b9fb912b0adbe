import Scheduler

extension Array where Element == JobRun {
    /// The most runs that overlapped, from their recorded start and end times: an end comes
    /// before a start at the same instant (a place given back and taken in one tick). A run
    /// without an end counts as still running.
    var mostAtOnce: Int {
        let events = filter { $0.startedAt != nil }.flatMap { [($0.startedAt!, 1), ($0.finishedAt ?? .infinity, -1)] }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var running = 0
        var most = 0
        for (_, change) in events {
            running += change
            most = Swift.max(most, running)
        }
        return most
    }
}
