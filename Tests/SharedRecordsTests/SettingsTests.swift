import NightshiftConfig
import NightshiftCore
import RunRecords
import Scheduler
import ScriptAPI
import ScriptRuntime
import SharedRecords
import Testing

@Suite("shared records: settings")
struct SettingsTests {
    @Test("[records] store is read as a PostgreSQL URL; one holding a password is refused without echoing it")
    func store() throws {
        var configuration = NightshiftConfiguration()
        #expect(try SharedRecordsSettings(configuration: configuration) == nil)
        configuration.recordsStore = "postgres://ns@db.internal:6432/records?sslmode=require"
        let settings = try #require(try SharedRecordsSettings(configuration: configuration))
        #expect(settings.description == "postgres://ns@db.internal:6432/records")
        #expect(settings.location.tls == .require)

        configuration.recordsStore = "postgres://ns:hunter2pw@db/records"
        let error = #expect(throws: ConfigurationError.self) { try SharedRecordsSettings(configuration: configuration) }
        #expect(error?.description.hasPrefix("[records] store: ") == true)
        #expect(error?.description.contains("hunter2pw") == false)
    }

    @Test("the password comes from PGPASSWORD, else the password file; a missing file names [records] password_file")
    func password() throws {
        var configuration = NightshiftConfiguration()
        configuration.recordsStore = "postgres://ns@db/records"
        configuration.recordsPasswordFile = "/nonexistent/pg-password"
        let settings = try #require(try SharedRecordsSettings(configuration: configuration))
        #expect(try settings.password(environment: ["PGPASSWORD": "from-env"]) == "from-env")
        let error = #expect(throws: ConfigurationError.self) { try settings.password(environment: [:]) }
        #expect(error?.description.contains("[records] password_file") == true)
    }
}
