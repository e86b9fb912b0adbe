import ArgumentParser
import Console
import Foundation
import Logging
import Operations
import OperationsFull
import Scheduler
import ServiceLifecycle

/// `nightshift console`: the web console, and `console add-user`.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Serve the web console where operators watch jobs and read runs (docs/console.md).",
        discussion: """
            It reads what the CLI reads: the jobs file's scheduler store and [console] table, and the audit \
            log of the state folder nightshift.toml names. `nightshift schedule` serves it too when the jobs \
            file has [console]. Users are added with `nightshift console add-user`.
            """,
        subcommands: [Serve.self, AddUser.self],
        defaultSubcommand: Serve.self
    )

    /// The jobs file, and the `[console]` settings it holds (the defaults when it has none).
    struct JobsFile: ParsableArguments {
        @Option(name: [.customLong("jobs")], help: "The jobs file with [console] and the scheduler's store.")
        var jobs: String = "jobs.toml"

        /// Loads the jobs file; failures exit 6 with the file's own error.
        func load() throws -> (JobConfiguration, ConsoleSettings) {
            let configuration: JobConfiguration
            do {
                configuration = try JobConfiguration.load(path: jobs)
            } catch {
                throw CommandFailure(.configuration, "\(error)")
            }
            let directory = (jobs as NSString).deletingLastPathComponent
            let settings = configuration.console
                ?? ConsoleSettings(usersFile: ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent("console-users.toml"))
            return (configuration, settings)
        }
    }

    /// `nightshift console [serve]`.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve", abstract: "Serve the console until SIGTERM or Ctrl-C (the default subcommand).")

        @OptionGroup var file: JobsFile

        @Option(help: "The address to listen on, HOST:PORT (default: [console] listen, else 127.0.0.1:8080).")
        var listen: String?

        @Option(help: "nightshift.toml, for the state folder whose audit log the console reads.")
        var config: String?

        @Option(help: "The state folder (default: as nightshift.toml and NIGHTSHIFT_STATE_DIR say).")
        var state: String?

        @Flag(help: "Log debug details.")
        var verbose = false

        func run() async throws {
            try await reportingFailures {
                var logger = Logger(label: "nightshift.console") { StreamLogHandler.standardError(label: $0) }
                logger.logLevel = verbose ? .debug : .info
                var (jobs, settings) = try file.load()
                if let listen {
                    guard let address = MetricsAddress(listen) else {
                        throw CommandFailure(.usage, "--listen: '\(listen)' is not HOST:PORT; write e.g. 127.0.0.1:8080")
                    }
                    settings.listen = address
                }
                if let problem = settings.problem { throw CommandFailure(.configuration, "[console] \(problem)") }
                let server = try await ConsoleSetup.server(
                    settings: settings, jobsPath: file.jobs, configuration: jobs, configPath: config,
                    stateDirectory: state, logger: logger)
                let group = ServiceGroup(
                    configuration: .init(
                        services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                do {
                    try await group.run()
                } catch {
                    throw CommandFailure(.configuration, "\(error)")
                }
            }
        }
    }

    /// `nightshift console add-user NAME --role ROLE`.
    struct AddUser: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-user",
            abstract: "Add a console user, or change one's role and password; stores a bcrypt hash, never the password.",
            discussion: """
                The password is asked twice on the terminal (not shown), or read from the first line of \
                standard input with --password-stdin; it is never an argument. At least 12 characters. \
                Roles: viewer (reads every page), operator (adds Run now, Pause, Resume), approver (adds \
                approving plans), admin.
                """)

        @Argument(help: "The login name: letters, digits, '.', '_' or '-'.")
        var name: String

        @Option(help: "viewer, operator, approver or admin.")
        var role: String

        @OptionGroup var file: JobsFile

        @Flag(help: "Read the password from the first line of standard input.")
        var passwordStdin = false

        func run() throws {
            try reportingFailures {
                guard let role = ConsoleRole(rawValue: role) else {
                    throw CommandFailure(
                        .usage,
                        "--role: '\(role)' is not a role; use \(ConsoleRole.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let (_, settings) = try file.load()
                let password = try passwordStdin ? Self.firstLine() : Self.askTwice()
                do {
                    let isNew = try ConsoleUsers.add(name: name, role: role, password: password, path: settings.usersFile)
                    print("\(isNew ? "added" : "changed") console user \(name) (\(role.rawValue)) in \(settings.usersFile)")
                } catch let failure as ConsoleUsers.Failure {
                    throw CommandFailure(.configuration, failure.description)
                }
            }
        }

        private static func firstLine() throws -> String {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CommandFailure(.usage, "--password-stdin: standard input held no password (the first line is read)")
            }
            return line
        }

        private static func askTwice() throws -> String {
            guard isatty(STDIN_FILENO) == 1 else {
                throw CommandFailure(
                    .usage, "no terminal to ask the password on; pass --password-stdin and write the password on standard input")
            }
            let first = try Self.ask("Password for the console user: ")
            let second = try Self.ask("The same password again: ")
            guard first == second else { throw CommandFailure(.usage, "the two passwords differ; nothing was changed") }
            return first
        }

        /// Reads a line from the terminal with echo off.
        private static func ask(_ prompt: String) throws -> String {
            FileHandle.standardError.write(Data(prompt.utf8))
            var saved = termios()
            tcgetattr(STDIN_FILENO, &saved)
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
            defer {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
            return readLine(strippingNewline: true) ?? ""
        }
    }
}
