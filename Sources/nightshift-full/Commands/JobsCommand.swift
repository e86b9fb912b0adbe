import ArgumentParser
import Foundation
import Logging
import NightshiftConfig
import NightshiftCore
import Operations
import OperationsFull
import Scheduler

/// `nightshift jobs`: look at and steer the scheduled jobs of a jobs file.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List, trigger, pause and resume scheduled jobs; show the daemons (status).",
        discussion: """
            These work on the store named in the jobs file (the SQLite state file, or the shared \
            PostgreSQL database, from any host); a daemon picks changes up on its next tick.
            """,
        subcommands: [List.self, Check.self, Pending.self, Trigger.self, Pause.self, Resume.self, JobsStatusCommand.self]
    )

    struct ConfigOption: ParsableArguments {
        @Option(
            name: [.customLong("jobs"), .customLong("config")],
            help: "The jobs file (--config is its old name, still accepted; nightshift.toml is never meant here).")
        var jobs: String = "jobs.toml"

        /// Reads the jobs file, opens its store, runs `body` and closes the store.
        func withStore<T>(_ body: (JobConfiguration, any SchedulerStore) async throws -> T) async throws -> T {
            let configuration: JobConfiguration
            let store: any SchedulerStore
            do {
                configuration = try JobConfiguration.load(path: jobs)
                store = try await SchedulerStores.open(
                    settings: configuration.settings, environment: ProcessInfo.processInfo.environment)
            } catch {
                throw CommandFailure(.configuration, "\(error)")
            }
            do {
                let result = try await body(configuration, store)
                await store.close()
                return result
            } catch let failure as CommandFailure {
                await store.close()
                throw failure
            } catch {
                await store.close()
                throw CommandFailure(.configuration, "\(error)")
            }
        }

        /// Applies `action` to the job `name` (the console's buttons take the same path) and
        /// prints what was done; failures as the other commands show them.
        func perform(_ action: JobControl.Action, job name: String) async throws {
            try await reportingFailures {
                let message = try await withStore { configuration, store in
                    do {
                        return try await JobControl.perform(
                            action, job: name, in: configuration, store: store,
                            now: Int64(Date().timeIntervalSince1970.rounded(.down)))
                    } catch let unknown as JobControl.UnknownJob {
                        throw CommandFailure(
                            .usage, "no job named '\(name)' in \(jobs); jobs: \(unknown.known.joined(separator: ", "))")
                    }
                }
                print(message)
            }
        }
    }

    /// `nightshift jobs list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Show each job's schedule, next fire time and last run (with the host that ran it).")

        @OptionGroup var options: ConfigOption

        func run() async throws {
            try await reportingFailures {
                let rows = try await options.withStore { configuration, store in
                    try await Self.rows(configuration, store: store)
                }
                printTable(rows)
            }
        }

        private static func rows(_ configuration: JobConfiguration, store: any SchedulerStore) async throws -> [[String]] {
            let now = Int64(Date().timeIntervalSince1970.rounded(.down))
            let last = try await store.lastRuns()
            let paused = try await store.pausedOverrides()
            var rows = [["JOB", "SCHEDULE", "ZONE", "NEXT", "LAST RUN", "STATUS", "HOST"]]
            for job in configuration.jobs {
                let isPaused = paused[job.name] ?? job.paused
                let next = isPaused
                    ? "paused"
                    : job.schedule.nextFireTime(after: now, in: job.zone).map { ISO8601.format($0, in: job.zone) } ?? "never"
                let run = last[job.name]
                rows.append([
                    job.name, job.schedule.description, job.zone.identifier, next,
                    run.map { ISO8601.format($0.slot, in: job.zone) } ?? "-", run?.status.rawValue ?? "-",
                    run?.host ?? "-",
                ])
            }
            return rows
        }
    }

    /// `nightshift jobs pending`.
    struct Pending: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pending",
            abstract: "Show the plans of jobs with approval = \"required\" that wait for approval: plan id, writes, credits, until when, and the file to approve.",
            discussion: "Approve one with: nightshift approve PLAN-ID --key KEY (or the file's path); reject it with nightshift reject PLAN-ID --reason TEXT. See docs/plans.md.")

        @OptionGroup var options: ConfigOption

        func run() async throws {
            try await reportingFailures {
                let (configuration, unfinished) = try await options.withStore { configuration, store in
                    (configuration, try await store.unfinishedRuns())
                }
                let zones = Dictionary(configuration.jobs.map { ($0.name, $0.zone) }, uniquingKeysWith: { first, _ in first })
                var rows = [["JOB", "SLOT", "PLAN", "WRITES", "CREDITS", "WAITS UNTIL", "DIGEST", "FILE"]]
                for run in unfinished.map(\.record).sorted(by: { $0.id < $1.id }) {
                    guard let request = run.approvalRequest else { continue }
                    rows.append([
                        run.job, ISO8601.format(run.slot, in: zones[run.job] ?? .utc), request.planID, String(request.writes),
                        String(request.credits), request.waitUntil, String(request.digest.prefix(19)) + "...", request.path,
                    ])
                }
                if rows.count == 1 {
                    print("no plan waits for approval")
                } else {
                    printTable(rows)
                }
            }
        }
    }

    /// `nightshift jobs check`.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check the jobs file: every job's script and module folders can be read, and which schedules fire at other times than before 0.2.0.",
            discussion: """
                Exit 0 when every job can run (schedule changes are reported but do not fail the check), \
                6 when the file is wrong or a job's script or module folder cannot be read. \
                `nightshift schedule` runs the same check at start and refuses to start on a job it names \
                unless given --ignore-unreadable. A panel a job names (panel, panels) that nightshift.toml \
                does not define is an error too (6). --panels also tests those panels as `nightshift \
                panels test` does, and exits 11 when one does not pass.
                """)

        @OptionGroup var options: ConfigOption

        @Flag(help: "Also test the panels the jobs name: reachable, TLS valid, key accepted (docs/fleets.md).")
        var panels = false

        func run() async throws {
            try await reportingFailures {
                let configuration: JobConfiguration
                do {
                    configuration = try JobConfiguration.load(path: options.jobs)
                } catch {
                    throw CommandFailure(.configuration, "\(error)")
                }
                let findings = try JobCheck.findings(configuration, modulePaths: Self.modulePaths())
                let jobs = configuration.jobs.count
                print("\(options.jobs): \(jobs) job\(jobs == 1 ? "" : "s")")
                for finding in findings { print(finding) }
                let unreadable = Set(findings.filter { $0.kind == .unreadable }.map(\.job))
                let changed = Set(findings.filter { $0.kind == .scheduleChanged }.map(\.job))
                if findings.isEmpty { print("every job's script and module folders can be read") }
                if !changed.isEmpty {
                    print("\(changed.count) job\(changed.count == 1 ? "'s schedule fires" : "s' schedules fire") at other times than before 0.2.0")
                }
                if !unreadable.isEmpty {
                    throw CommandFailure(
                        .configuration,
                        "\(unreadable.count) job\(unreadable.count == 1 ? "" : "s") cannot run as configured: \(unreadable.sorted().joined(separator: ", "))")
                }
                try await checkPanels(configuration.jobs)
            }
        }

        /// The panels the jobs name exist in nightshift.toml; with --panels, each passes its test.
        private func checkPanels(_ jobs: [Job]) async throws {
            guard jobs.contains(where: { !$0.panels.isEmpty }) || panels else { return }
            let environment = Environment()
            let settings: NightshiftConfiguration
            do {
                settings = try environment.configuration(explicit: nil)
            } catch {
                throw CommandFailure(.configuration, "\(error) (every job's run reads it)")
            }
            let (named, problems) = PanelsTest.panels(of: jobs, configuration: settings)
            for problem in problems { print(problem) }
            guard problems.isEmpty else {
                throw CommandFailure(.configuration, "\(problems.count) panel name\(problems.count == 1 ? "" : "s") in the jobs not found in nightshift.toml")
            }
            guard panels else { return }
            guard !named.isEmpty else {
                print("no job names a panel of nightshift.toml (panel = \"NAME\" or panels = [...]): nothing to test")
                return
            }
            var logger = Logger(label: "nightshift.jobs")
            logger.logLevel = .critical
            let results = await PanelProbe.test(named, keys: environment.keys, timeout: .seconds(10), logger: logger)
            for line in PanelsTest.lines(results) { print(line) }
            let failed = results.filter { !$0.passed }.map(\.panel.name)
            if !failed.isEmpty {
                throw CommandFailure(.somePanelsFailed, "panels that did not pass: \(failed.joined(separator: ", "))")
            }
        }

        /// `[modules] paths` of the nightshift.toml that the jobs' runs read (found as they find it).
        static func modulePaths() throws(CommandFailure) -> [String] {
            do {
                return try Environment().configuration(explicit: nil).modulePaths
            } catch {
                throw CommandFailure(.configuration, "\(error) (every job's run reads it)")
            }
        }
    }

    /// `nightshift jobs trigger NAME`.
    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trigger",
            abstract: "Ask a running daemon to run a job now (it starts on the daemon's next tick).")

        @Argument(help: "The job's name.")
        var name: String

        @OptionGroup var options: ConfigOption

        func run() async throws {
            try await options.perform(.trigger, job: name)
        }
    }

    /// `nightshift jobs pause NAME`.
    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pause",
            abstract: "Pause a job: its slots pass without running until `jobs resume`.")

        @Argument(help: "The job's name.")
        var name: String

        @OptionGroup var options: ConfigOption

        func run() async throws {
            try await options.perform(.pause, job: name)
        }
    }

    /// `nightshift jobs resume NAME`.
    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume",
            abstract: "Resume a paused job from its next slot (slots passed while paused are not replayed).")

        @Argument(help: "The job's name.")
        var name: String

        @OptionGroup var options: ConfigOption

        func run() async throws {
            try await options.perform(.resume, job: name)
        }
    }
}

/// Prints rows as left-aligned columns.
func printTable(_ rows: [[String]]) {
    guard let first = rows.first else { return }
    var widths = first.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    for row in rows {
        let line = row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
        }
        var text = line.joined(separator: "  ")
        while text.last == " " { text.removeLast() }
        print(text)
    }
}
