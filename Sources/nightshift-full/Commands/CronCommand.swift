import ArgumentParser
import Foundation
import Operations
import Scheduler
import ScriptCommands

/// `nightshift cron`: inspect cron expressions.
struct CronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cron",
        abstract: "Check cron expressions and show when they fire.",
        subcommands: [Next.self]
    )

    /// `nightshift cron next EXPR`: the next fire times.
    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "Print the next fire times of a cron expression, one ISO-8601 time with its UTC offset per line.",
            discussion: """
                EXPR is a 5-field cron expression (cronie syntax), an @ form such as @daily, or an \
                interval such as "@every 15m". Times are strictly after --from. DST rules are in \
                docs/scheduling.md.
                """
        )

        @Argument(help: "The cron expression, quoted: \"0 3 * * *\".")
        var expression: String

        @Option(help: "Start time (ISO-8601, e.g. 2026-03-08T01:30:00-05:00); without an offset it is read in --tz. Default: now.")
        var from: String?

        @Option(help: "How many fire times to print.")
        var count: Int = 5

        @Option(help: "IANA time zone the expression is read in (default: the system's zone, else UTC).")
        var tz: String?

        func validate() throws {
            guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        }

        func run() throws {
            try reportingFailures(body)
        }

        private func body() throws {
            let zone: ZoneRules
            do {
                zone = try ZoneRules(identifier: tz ?? TimeZone.current.identifier)
            } catch {
                throw ValidationError("--tz: \(error)")
            }
            let schedule: Schedule
            do {
                schedule = try Schedule(expression)
            } catch {
                throw CommandFailure(.usage, error.description)
            }
            let start: Int64
            if let from {
                guard let parsed = ISO8601.parse(from, defaultZone: zone) else {
                    throw ValidationError("--from '\(from)' is not an ISO-8601 time such as 2026-03-08T01:30:00-05:00")
                }
                start = parsed
            } else {
                start = Int64(Date().timeIntervalSince1970.rounded(.down))
            }
            var printed = 0
            for time in FireTimes(schedule: schedule, zone: zone, after: start).prefix(count) {
                print(ISO8601.format(time, in: zone))
                printed += 1
            }
            if printed < count {
                throw CommandFailure(.usage, "cron: '\(expression)' has no further fire time within 50 years")
            }
        }
    }
}

/// Runs a command body, printing a `CommandFailure` as `Error: ...` and exiting with its code.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let failure as CommandFailure {
        FileHandle.standardError.write(Data("Error: \(failure.description)\n".utf8))
        throw failure.code.exit
    }
}

/// Runs an async command body, printing a `CommandFailure` as `Error: ...` and exiting with its code.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as CommandFailure {
        FileHandle.standardError.write(Data("Error: \(failure.description)\n".utf8))
        throw failure.code.exit
    }
}
