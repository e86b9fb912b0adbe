import ArgumentParser
import Foundation
import NightshiftCore
import Scheduler

/// `nightshift history [NAME]`: what the scheduler ran, skipped or cut off, on every host.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show scheduled runs, newest first: slot, kind, attempt, status, exit code, writes sent, host, reason.",
        discussion: """
            --notifications shows the job notifications sent about them instead (webhook, ping, command; URLs redacted). \
            --hosts shows how many runs each host's daemon recorded, by status, with its first start and last end.
            """
    )

    @Argument(help: "Only this job.")
    var name: String?

    @OptionGroup var options: JobsCommand.ConfigOption

    @Option(help: "How many runs to show.")
    var limit: Int = 50

    @Flag(help: "Print JSON: an array of runs with times in seconds since the epoch.")
    var json = false

    @Flag(help: "Show job notification deliveries (webhook, ping, command) instead of runs; URLs are redacted.")
    var notifications = false

    @Flag(help: "Show runs per host over the whole kept history (of NAME, if given): started, share, statuses, first start, last end.")
    var hosts = false

    @Option(help: "The daemon's --host name, to check its runs' processes on this machine (default: the host name).")
    var host: String = StoreHost.current

    func run() async throws {
        if notifications { return try await showNotifications() }
        if hosts { return try await showHosts() }
        try await reportingFailures {
            let (configuration, recorded, unfinished) = try await options.withStore { configuration, store in
                (configuration, try await store.history(job: name, limit: limit), try await store.unfinishedRuns())
            }
            // A run still recorded running whose daemon and process are both gone shows as it ended.
            let commands = Set(configuration.jobs.filter { $0.command != nil }.map(\.name))
            let runs = UnwatchedRuns.observed(
                recorded, unfinished: unfinished, host: host, isScript: { !commands.contains($0) },
                now: Date().timeIntervalSince1970)
            if json { return try printJSON(runs) }
            let zones = Self.zones(configuration)
            var rows = [["ID", "JOB", "SLOT", "KIND", "ATTEMPT", "STATUS", "EXIT", "SECONDS", "WRITES", "HOST", "REASON"]]
            for run in runs {
                let zone = zones[run.job] ?? .utc
                let exit = run.exitCode.map(String.init) ?? run.signal.map { "signal \($0)" } ?? "-"
                let seconds = zip(run.startedAt, run.finishedAt).map { String(format: "%.1f", $1 - $0) } ?? "-"
                rows.append([
                    String(run.id), run.job, ISO8601.format(run.slot, in: zone), run.kind.rawValue, String(run.attempt),
                    run.statusText,
                    exit, seconds, run.writesSent.map(String.init) ?? "-", run.host ?? "-", run.reasonText,
                ])
            }
            printTable(rows)
        }
    }
}

extension HistoryCommand {
    /// `history --notifications`: one row per delivery, newest first.
    private func showNotifications() async throws {
        try await reportingFailures {
            let (configuration, deliveries) = try await options.withStore { configuration, store in
                (configuration, try await store.notifications(job: name, limit: limit))
            }
            if json { return try printJSON(deliveries) }
            let zones = Self.zones(configuration)
            var rows = [["RUN", "JOB", "EVENT", "TARGET", "OUTCOME", "ATTEMPTS", "AT", "DETAIL"]]
            for delivery in deliveries {
                let at = ISO8601.format(Int64(delivery.at.rounded(.down)), in: zones[delivery.job] ?? .utc)
                rows.append([
                    String(delivery.runID), delivery.job, delivery.event, "\(delivery.targetKind.rawValue) \(delivery.target)",
                    delivery.outcome.rawValue, String(delivery.attempts), at, delivery.detail,
                ])
            }
            printTable(rows)
        }
    }
}

extension HistoryCommand {
    /// `history --hosts`: one row per host, busiest first, and the span of all their runs.
    private func showHosts() async throws {
        try await reportingFailures {
            let hosts = try await options.withStore { _, store in try await store.runsPerHost(job: name) }
            if json { return try printJSON(hosts) }
            let total = hosts.reduce(0) { $0 + $1.started }
            func time(_ value: Double?) -> String {
                value.map { ISO8601.format(Int64($0.rounded(.down)), in: .utc) } ?? "-"
            }
            var rows = [["HOST", "STARTED", "SHARE", "FIRST START", "LAST END", "STATUSES"]]
            for host in hosts {
                let share = total == 0 ? "-" : String(format: "%.0f%%", Double(host.started) / Double(total) * 100)
                let statuses = host.statuses.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }
                rows.append([
                    host.host, String(host.started), share, time(host.firstStart), time(host.lastEnd),
                    statuses.joined(separator: ", "),
                ])
            }
            printTable(rows)
            if let first = hosts.compactMap(\.firstStart).min(), let last = hosts.compactMap(\.lastEnd).max() {
                print(String(format: "first start to last end: %.1f s, %d runs started on %d host(s)", last - first, total, hosts.filter { $0.started > 0 }.count))
            }
        }
    }
}

private func zip(_ a: Double?, _ b: Double?) -> (Double, Double)? {
    guard let a, let b else { return nil }
    return (a, b)
}

extension HistoryCommand {
    /// Each job's time zone, for showing its slots.
    private static func zones(_ configuration: JobConfiguration) -> [String: ZoneRules] {
        Dictionary(configuration.jobs.map { ($0.name, $0.zone) }, uniquingKeysWith: { a, _ in a })
    }

    /// `--json`: the rows, pretty-printed with sorted keys.
    private func printJSON(_ rows: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(rows), as: UTF8.self))
    }
}
