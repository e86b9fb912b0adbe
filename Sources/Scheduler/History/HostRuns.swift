/// How many runs one host's daemon recorded, by status, and when: `nightshift history --hosts`.
public struct HostRuns: Sendable, Equatable, Encodable {
    /// The host (`--host` name); "-" for rows no host holds (slots still waiting for a place).
    public var host: String
    /// Rows by status (`succeeded`, `failed`, `skipped`, `running`…).
    public var statuses: [String: Int]
    /// The earliest start of a run of this host (seconds since the epoch).
    public var firstStart: Double?
    /// The latest end of a run of this host.
    public var lastEnd: Double?

    /// Rows whose child started (a start time is recorded).
    public var started: Int

    /// Creates one.
    public init(host: String, statuses: [String: Int], started: Int, firstStart: Double?, lastEnd: Double?) {
        self.host = host
        self.statuses = statuses
        self.started = started
        self.firstStart = firstStart
        self.lastEnd = lastEnd
    }

    /// One `HostRuns` per host, from rows grouped by host and status, busiest host first.
    static func grouped(
        _ rows: [(host: String, status: String, count: Int, started: Int, firstStart: Double?, lastEnd: Double?)]
    ) -> [HostRuns] {
        var hosts: [String: HostRuns] = [:]
        for row in rows {
            var entry = hosts[row.host] ?? HostRuns(host: row.host, statuses: [:], started: 0, firstStart: nil, lastEnd: nil)
            entry.statuses[row.status, default: 0] += row.count
            entry.started += row.started
            entry.firstStart = [entry.firstStart, row.firstStart].compactMap { $0 }.min()
            entry.lastEnd = [entry.lastEnd, row.lastEnd].compactMap { $0 }.max()
            hosts[row.host] = entry
        }
        return hosts.values.sorted { ($0.started, $1.host) > ($1.started, $0.host) }
    }
}
