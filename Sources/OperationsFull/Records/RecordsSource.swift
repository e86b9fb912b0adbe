import NightshiftCore
import Operations
import RunRecords
import ScriptRuntime
import SharedRecords

/// Where `nightshift runs` and `nightshift audit` read: the shared records (every host's
/// copied rows plus this host's rows not copied yet) when nightshift.toml has a
/// `[records] store`, else, or with `--local`, this host's audit.sqlite. When the shared
/// records cannot be read, one warning says why and this host's rows are shown.
public struct RecordsSource {
    /// This host's audit log.
    public let audit: AuditLog
    private let shared: SharedRecordsStore?
    private let command: String
    /// Whether rows name their host in text output: whenever records are shared.
    public let showsHosts: Bool

    /// Opens the source, reads with `body` and closes it.
    /// - Parameters:
    ///   - configPath: `--config`; nil finds nightshift.toml as every command does.
    ///   - stateDirectory: `--state`.
    /// - Returns: what `body` read, and whether rows should name their host.
    /// - Throws: `CommandFailure` when nightshift.toml or the state folder cannot be used;
    ///   what `body` throws.
    public static func read<T>(
        configPath: String?, stateDirectory: String?, local: Bool, command: String,
        _ body: (RecordsSource) async throws -> T
    ) async throws -> (rows: T, showsHosts: Bool) {
        let source = try await open(configPath: configPath, stateDirectory: stateDirectory, local: local, command: command)
        do {
            let rows = try await body(source)
            await source.close()
            return (rows, source.showsHosts)
        } catch {
            await source.close()
            throw error
        }
    }

    /// Opens what the flags and nightshift.toml name.
    /// - Parameters:
    ///   - local: `--local`: this host's audit.sqlite only.
    ///   - command: `runs` or `audit`, for messages.
    public static func open(
        configPath: String?, stateDirectory: String?, local: Bool, command: String
    ) async throws(CommandFailure) -> RecordsSource {
        let environment = Environment()
        let configuration = try environment.configuration(explicit: configPath)
        let settings = try environment.sharedRecords(configuration)
        let audit = try environment.auditLog(
            stateDirectory: environment.stateDirectory(explicit: stateDirectory, configuration: configuration))
        guard let settings, !local else {
            return RecordsSource(audit: audit, shared: nil, command: command, showsHosts: settings != nil)
        }
        do {
            let password = try settings.password(environment: environment.variables)
            let store = try await SharedRecordsStore.open(settings, password: password, timeout: .seconds(5))
            return RecordsSource(audit: audit, shared: store, command: command, showsHosts: true)
        } catch {
            warnLocalOnly(command: command, reason: "\(error)")
            return RecordsSource(audit: audit, shared: nil, command: command, showsHosts: true)
        }
    }

    /// Runs, newest first.
    public func runs(status: RunStatus?, script: String?, limit: Int) async throws -> [RunRecord] {
        if let shared {
            do {
                return try await SharedRecordsView.runs(
                    shared: shared, local: audit, status: status, script: script, limit: limit)
            } catch {
                Self.warnLocalOnly(command: command, reason: "\(error)")
            }
        }
        return try audit.runs(status: status, script: script, limit: limit)
    }

    /// Writes: the newest `limit` that match, oldest first.
    public func writes(runID: String?, endpoint: String?, outcome: String?, mode: String?, limit: Int) async throws -> [AuditEntry] {
        if let shared {
            do {
                return try await SharedRecordsView.writes(
                    shared: shared, local: audit, runID: runID, endpoint: endpoint, outcome: outcome, mode: mode,
                    limit: limit)
            } catch {
                Self.warnLocalOnly(command: command, reason: "\(error)")
            }
        }
        return try audit.writes(runID: runID, endpoint: endpoint, outcome: outcome, mode: mode, limit: limit)
    }

    /// Closes the shared records' connection.
    public func close() async {
        await shared?.close()
    }

    private static func warnLocalOnly(command: String, reason: String) {
        Output.error(
            "nightshift \(command): warning: cannot read the shared records: \(reason); showing this host's rows only. "
                + "Check that the database is up and reachable ([records] store in nightshift.toml), or pass --local.")
    }
}
