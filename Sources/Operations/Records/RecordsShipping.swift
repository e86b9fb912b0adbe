import Foundation
import ScriptRuntime
import SharedRecords
import RunRecords

/// The copy of this host's finished runs to the shared records (`[records] store`) that
/// `nightshift run` and `nightshift repl` make after the run has ended and its result is out.
public struct RecordsShipping: Sendable {
    /// Set by `nightshift schedule` for its jobs to the state folder it copies itself after
    /// every run: a job writing to that folder leaves the copy to the daemon (which holds
    /// the password; jobs do not get `PGPASSWORD`).
    public static let schedulerShipsVariable = "NIGHTSHIFT_SCHEDULER_SHIPS"

    private let settings: SharedRecordsSettings
    private let audit: AuditLog
    private let variables: [String: String]
    private let host: String

    /// Nil when nothing is to be copied by this process: no `[records] store`, or the
    /// scheduler that started it copies this state folder itself.
    public init?(settings: SharedRecordsSettings?, audit: AuditLog, stateDirectory: String, environment: Environment) {
        guard let settings else { return nil }
        if let shipper = environment.variables[Self.schedulerShipsVariable],
            Self.samePath(shipper, stateDirectory)
        {
            return nil
        }
        self.settings = settings
        self.audit = audit
        variables = environment.variables
        host = environment.host
    }

    /// Copies what is pending, this run's records and any backlog, giving up at `until`.
    /// Never fails the run: a failure is one warning line (no password), and the rows stay
    /// in audit.sqlite for the next run or the daemon to copy.
    public func ship(until: ContinuousClock.Instant, warn: (String) -> Void) async {
        guard ContinuousClock.now.duration(to: until) > .milliseconds(50) else {
            warn(
                "warning: the run's records were not copied to the shared records: no time was left before the run's deadline; they stay in \(audit.path) and are copied after a later run")
            return
        }
        do {
            let password = try settings.password(environment: variables)
            try await SharedRecordsStore.ship(
                settings, password: password, from: audit, host: host, until: until,
                timeout: min(.seconds(5), ContinuousClock.now.duration(to: until)))
        } catch {
            warn(
                "warning: the run's records were not copied to the shared records: \(error); they stay in \(audit.path) and are copied after a later run")
        }
    }

    private static func samePath(_ a: String, _ b: String) -> Bool {
        URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath().path
            == URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
