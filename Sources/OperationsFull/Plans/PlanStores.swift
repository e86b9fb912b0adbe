import Foundation
import NightshiftConfig
import NightshiftCore
import Operations
import Plans
import RunRecords
import SharedRecords

/// Where plans are recorded as used, approved or rejected: this host's audit log, and the
/// shared records when nightshift.toml names them (so every host sees the same).
public struct PlanStores: Sendable {
    /// This host's audit log.
    public let audit: AuditLog
    /// The shared records, when configured.
    public let shared: SharedRecordsStore?

    /// Opens them. A shared store that is configured but cannot be reached is an error:
    /// plans must not be used twice because one host could not see the other's record.
    public static func open(
        environment: Environment, configuration: NightshiftConfiguration, stateDirectory: String?
    ) async throws(CommandFailure) -> PlanStores {
        let state = environment.stateDirectory(explicit: stateDirectory, configuration: configuration)
        let audit = try environment.auditLog(stateDirectory: state)
        guard let settings = try environment.sharedRecords(configuration) else { return PlanStores(audit: audit, shared: nil) }
        do {
            let password = try settings.password(environment: environment.variables)
            return PlanStores(audit: audit, shared: try await SharedRecordsStore.open(settings, password: password))
        } catch {
            throw CommandFailure(
                .configuration,
                "cannot reach the shared records ([records] store): \(error); a plan's single use is recorded there, so nothing was done")
        }
    }

    /// How plan `id` was used on this host or any host sharing the records.
    public func use(of id: String) async throws -> AuditLog.PlanUse? {
        if let use = try audit.planUse(id) { return use }
        return try await shared?.planUse(id)
    }

    /// Closes the shared store.
    public func close() async { await shared?.close() }
}

/// Who runs a command, as plans name people: `--as NAME`, else the operating system's user.
public enum PlanActor {
    /// `explicit`, else `$USER`, else the user id's name.
    public static func name(_ explicit: String?, environment: Environment) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let user = environment.variables["USER"], !user.isEmpty { return user }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}
