import ArgumentParser
import Foundation
import NightshiftConfig
import NightshiftCore
import Operations
import RunRecords
import SharedRecords

/// `nightshift-full ship-records` (hidden): the copy of a state folder's finished runs to the
/// shared records that `nightshift run` and `nightshift repl` start as a child after a run
/// (``RecordsCopy``), so that `nightshift` itself links no PostgreSQL client. It reads the
/// password itself (`PGPASSWORD`, `--password-file`, `PGPASSFILE` or `~/.pgpass`); a failure
/// is one line on standard error, never the password, and exit status 1.
struct ShipRecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: RecordsCopy.command,
        abstract: "Copy a state folder's finished runs to the shared records (started by nightshift run).",
        shouldDisplay: false
    )

    @Option(help: "The shared records' PostgreSQL URL, without a password.")
    var store: String

    @Option(name: .customLong("password-file"), help: "A file whose first line is the password.")
    var passwordFile: String?

    @Option(help: "The state folder holding audit.sqlite.")
    var state: String

    @Option(help: "The host name the runs are recorded under.")
    var host: String

    @Option(name: .customLong("within-ms"), help: "Give up after this many milliseconds.")
    var withinMilliseconds: Int

    func run() async throws {
        let until = ContinuousClock.now + .milliseconds(max(0, withinMilliseconds))
        do {
            let settings = SharedRecordsSettings(location: try PostgresLocation(url: store), passwordFile: passwordFile)
            let password = try settings.password(environment: ProcessInfo.processInfo.environment)
            let audit = try AuditLog(path: state + "/audit.sqlite", host: host)
            try await SharedRecordsStore.ship(
                settings, password: password, from: audit, host: host, until: until,
                timeout: min(.seconds(5), ContinuousClock.now.duration(to: until)))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
