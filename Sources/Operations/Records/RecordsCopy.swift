import Foundation
import NightshiftConfig
import RunRecords

/// The copy of this host's finished runs to the shared records (`[records] store`) that
/// `nightshift run` and `nightshift repl` make after the run has ended and its result is out.
///
/// The PostgreSQL client lives in `nightshift-full`, not in `nightshift` (``Executables``):
/// the copy is made by `nightshift-full ship-records` as a child process, which reads the
/// password itself (`PGPASSWORD`, the password file, `~/.pgpass`) and is stopped at the deadline.
public struct RecordsCopy: Sendable {
    /// Set by `nightshift schedule` for its jobs to the state folder it copies itself after
    /// every run: a job writing to that folder leaves the copy to the daemon (which holds
    /// the password; jobs do not get `PGPASSWORD`).
    public static let schedulerShipsVariable = "NIGHTSHIFT_SCHEDULER_SHIPS"

    /// The hidden command of `nightshift-full` that makes the copy.
    public static let command = "ship-records"

    private let settings: SharedRecordsSettings
    private let auditPath: String
    private let stateDirectory: String
    private let host: String

    /// Nil when nothing is to be copied by this process: no `[records] store`, or the
    /// scheduler that started it copies this state folder itself.
    public init?(settings: SharedRecordsSettings?, audit: AuditLog, stateDirectory: String, environment: Environment) {
        guard let settings else { return nil }
        if let shipper = environment.variables[Self.schedulerShipsVariable], Self.samePath(shipper, stateDirectory) {
            return nil
        }
        self.settings = settings
        auditPath = audit.path
        self.stateDirectory = stateDirectory
        host = environment.host
    }

    /// The arguments of `nightshift-full` for a copy that must be over within `budget`.
    func arguments(within budget: Duration) -> [String] {
        var arguments = [
            Self.command, "--store", settings.location.url, "--state", stateDirectory, "--host", host,
            "--within-ms", String(Int(budget / .milliseconds(1))),
        ]
        if let passwordFile = settings.passwordFile { arguments += ["--password-file", passwordFile] }
        return arguments
    }

    /// Copies what is pending, this run's records and any backlog, giving up at `until`.
    /// Never fails the run: a failure is one warning line (no password), and the rows stay
    /// in audit.sqlite for the next run or the daemon to copy.
    public func ship(until: ContinuousClock.Instant, warn: (String) -> Void) async {
        let budget = ContinuousClock.now.duration(to: until)
        let unsent = "they stay in \(auditPath) and are copied after a later run"
        guard budget > .milliseconds(50) else {
            warn("warning: the run's records were not copied to the shared records: no time was left before the run's deadline; \(unsent)")
            return
        }
        do {
            let path = try Executables.fullPath(for: "copying the run's records to the shared records")
            let child = try ChildProcess(path, arguments(within: budget))
            let ended = await child.wait(until: until)
            let said = child.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            if !ended {
                warn("warning: the run's records were not copied to the shared records: the copy was still running at the run's deadline; \(unsent)")
            } else if child.status != 0 {
                warn("warning: the run's records were not copied to the shared records: \(said.isEmpty ? "\(Executables.full) \(Self.command) exited \(child.status)" : said); \(unsent)")
            }
        } catch let failure as CommandFailure {
            warn("warning: the run's records were not copied to the shared records: \(failure.message); \(unsent)")
        } catch {
            warn("warning: the run's records were not copied to the shared records: \(error); \(unsent)")
        }
    }

    private static func samePath(_ a: String, _ b: String) -> Bool {
        URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath().path
            == URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
