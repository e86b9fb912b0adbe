import ArgumentParser
import Foundation
import Scheduler

/// `nightshift jobs`: look at and steer the scheduled jobs of a jobs file.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List, trigger, pause and resume scheduled jobs.",
        discussion: "These work on the state file named in the jobs file; the daemon picks changes up on its next tick.",
        subcommands: [List.self, Trigger.self, Pause.self, Resume.self]
    )

    struct ConfigOption: ParsableArguments {
        @Option(help: "The jobs file.")
        var config: String = "jobs.toml"

        func load() throws -> (JobConfiguration, RunStore) {
            do {
                let configuration = try JobConfiguration.load(path: config)
                return (configuration, try RunStore(path: configuration.settings.statePath))
            } catch {
                throw CommandFailure.configuration(error)
            }
        }

        func job(named name: String) throws -> (Job, RunStore) {
            let (configuration, store) = try load()
            guard let job = configuration.jobs.first(where: { $0.name == name }) else {
                let names = configuration.jobs.map(\.name).joined(separator: ", ")
                throw CommandFailure("no job named '\(name)' in \(config); jobs: \(names)")
            }
            return (job, store)
        }

        /// Looks up the job `name`, applies `change` to its state with the current time in
        /// whole seconds, and prints what `change` returns; failures as the other commands show them.
        func change(job name: String, _ change: (Job, RunStore, Int64) throws -> String) throws {
            try reportingFailures {
                let (job, store) = try self.job(named: name)
                print(try change(job, store, Int64(Date().timeIntervalSince1970.rounded(.down))))
            }
        }
    }

    /// `nightshift jobs list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each job's schedule, next fire time and last run.")

        @OptionGroup var options: ConfigOption

        func run() throws {
            try reportingFailures(body)
        }

        private func body() throws {
            let (configuration, store) = try options.load()
            let now = Int64(Date().timeIntervalSince1970.rounded(.down))
            let last = try store.lastRuns()
            let paused = try store.pausedOverrides()
            var rows = [["JOB", "SCHEDULE", "ZONE", "NEXT", "LAST RUN", "STATUS"]]
            for job in configuration.jobs {
                let isPaused = paused[job.name] ?? job.paused
                let next = isPaused
                    ? "paused"
                    : job.schedule.nextFireTime(after: now, in: job.zone).map { ISO8601.format($0, in: job.zone) } ?? "never"
                let run = last[job.name]
                rows.append([
                    job.name, job.schedule.description, job.zone.identifier, next,
                    run.map { ISO8601.format($0.slot, in: job.zone) } ?? "-", run?.status.rawValue ?? "-",
                ])
            }
            printTable(rows)
        }
    }

    /// `nightshift jobs trigger NAME`.
    struct Trigger: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the running daemon to run a job now (it starts on the daemon's next tick).")

        @Argument(help: "The job's name.")
        var name: String

        @OptionGroup var options: ConfigOption

        func run() throws {
            try options.change(job: name) { job, store, now in
                try store.addTrigger(job: job.name, at: now)
                return "triggered \(job.name); see `nightshift history \(job.name)`"
            }
        }
    }

    /// `nightshift jobs pause NAME`.
    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a job: its slots pass without running until `jobs resume`.")

        @Argument(help: "The job's name.")
        var name: String

        @OptionGroup var options: ConfigOption

        func run() throws {
            try options.change(job: name) { job, store, now in
                try store.setPaused(true, job: job.name, now: now)
                return "paused \(job.name)"
            }
        }
    }

    /// `nightshift jobs resume NAME`.
    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a paused job from its next slot (slots passed while paused are not replayed).")

        @Argument(help: "The job's name.")
        var name: String

        @OptionGroup var options: ConfigOption

        func run() throws {
            try options.change(job: name) { job, store, now in
                try store.setPaused(false, job: job.name, now: now)
                return "resumed \(job.name)"
            }
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
