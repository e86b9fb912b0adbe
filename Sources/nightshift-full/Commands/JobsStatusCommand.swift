import ArgumentParser
import Foundation
import Scheduler

/// `nightshift jobs status`: every daemon of the store, its last tick, its free places and
/// its runs; the pools; the runs waiting for a place.
struct JobsStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each daemon of the store: its last tick, max_running, running runs and free places; pools; waiting runs.",
        discussion: """
            Daemons write their row three times per lease (every 5 s by default) and when they stop. \
            A daemon not heard of for longer than a lease is shown `silent`: stopped without a chance \
            to say so, or cut off from the store.
            """)

    @OptionGroup var options: JobsCommand.ConfigOption

    @Flag(help: "Print JSON: daemons, pools and waiting runs, times in seconds since the epoch.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let (configuration, status) = try await options.withStore { configuration, store in
                (configuration, try await store.clusterStatus())
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(status), as: UTF8.self))
                return
            }
            let now = status.now ?? Date().timeIntervalSince1970
            var rows = [["DAEMON", "STATE", "LAST TICK", "TICK", "MAX RUNNING", "RUNNING", "FREE", "PID", "STARTED"]]
            for daemon in status.daemons {
                let beat = daemon.heartbeat
                let state = beat.stoppedAt != nil ? "stopped" : now - beat.lastTick > configuration.settings.lease ? "silent" : "ticking"
                rows.append([
                    daemon.host, state, String(format: "%.1f s ago", max(0, now - beat.lastTick)), Self.seconds(beat.tick),
                    beat.maxRunning.map(String.init) ?? "no limit", String(daemon.running), daemon.free.map(String.init) ?? "-",
                    String(beat.pid), ISO8601.format(Int64(beat.startedAt.rounded(.down)), in: .utc),
                ])
            }
            if status.daemons.isEmpty {
                print("no daemon has written to this store yet (nightshift schedule --jobs \(options.jobs))")
            } else {
                printTable(rows)
            }
            let oldest = status.oldestWaiting.map { String(format: ", the oldest ready %.1f s ago", max(0, now - $0)) } ?? ""
            print("waiting for a free place: \(status.waiting) run\(status.waiting == 1 ? "" : "s")\(oldest)")
            guard !status.pools.isEmpty else { return }
            var pools = [["POOL", "SIZE", "HELD"]]
            for pool in status.pools { pools.append([pool.name, String(pool.size), String(pool.held)]) }
            printTable(pools)
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : String(format: "%.2gs", value)
    }
}
