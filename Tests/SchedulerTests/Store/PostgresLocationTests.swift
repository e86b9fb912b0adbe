import Foundation
import NightshiftCore
import Scheduler
import Testing

@Suite("the PostgreSQL store's URL and password")
struct PostgresLocationTests {
    @Test("a postgres:// URL gives user, host, port, database and TLS mode; its description is the URL")
    func parse() throws {
        let location = try PostgresLocation(url: "postgres://sched@db.example.com:6432/nightshift?sslmode=require")
        #expect(location.user == "sched" && location.host == "db.example.com" && location.port == 6432)
        #expect(location.database == "nightshift" && location.tls == .require)
        #expect(location.description == "postgres://sched@db.example.com:6432/nightshift")
        let defaults = try PostgresLocation(url: "postgresql://sched@10.0.0.5")
        #expect(defaults.port == 5432 && defaults.database == "sched" && defaults.tls == .prefer)
    }

    @Test("a URL holding a password is refused, and the message shows *** in its place")
    func passwordInURL() {
        #expect {
            try PostgresLocation(url: "postgres://sched:hunter2@db:5432/ns")
        } throws: { error in
            let text = "\(error)"
            return !text.contains("hunter2") && text.contains("postgres://sched:***@db:5432/ns")
                && text.contains("PGPASSWORD")
        }
    }

    @Test("PGPASSWORD wins; else password_file's first line; else the matching ~/.pgpass line")
    func passwordSources() throws {
        let dir = TemporaryDirectory()
        let location = try PostgresLocation(url: "postgres://sched@db.example.com:5432/ns")
        try "from-file\nignored\n".write(toFile: dir.file("pw"), atomically: true, encoding: .utf8)
        try """
            # host:port:database:user:password
            other.example.com:5432:ns:sched:wrong
            db.example.com:*:ns:sched:pa\\:ss
            """.write(toFile: dir.file("pgpass"), atomically: true, encoding: .utf8)
        #expect(try location.password(environment: ["PGPASSWORD": "from-env"], passwordFile: dir.file("pw")) == "from-env")
        #expect(try location.password(environment: [:], passwordFile: dir.file("pw")) == "from-file")
        #expect(try location.password(environment: ["PGPASSFILE": dir.file("pgpass")], passwordFile: nil) == "pa:ss")
        #expect(try location.password(environment: ["HOME": dir.path], passwordFile: nil) == nil)
    }

    @Test("the jobs file reads store, lease and password_file (relative to the file); a bad URL names the key")
    func jobsFile() throws {
        let configuration = try JobConfiguration(
            toml: """
                [scheduler]
                store = "postgres://sched@127.0.0.1:5432/ns"
                password_file = "secrets/pg"
                lease = "20s"

                [[jobs]]
                name = "a"
                script = "a.lua"
                schedule = "@daily"
                """, fileName: "jobs.toml", baseDirectory: "/etc/nightshift")
        #expect(configuration.settings.store == "postgres://sched@127.0.0.1:5432/ns")
        #expect(configuration.settings.passwordFile == "/etc/nightshift/secrets/pg")
        #expect(configuration.settings.lease == 20)
        #expect {
            try JobConfiguration(
                toml: "[scheduler]\nstore = \"mysql://x@y/z\"\n[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\n",
                fileName: "jobs.toml", baseDirectory: "/")
        } throws: { error in
            "\(error)" == "jobs.toml: [scheduler] store: 'mysql://x@y/z' is not a PostgreSQL URL; write postgres://USER@HOST:PORT/DATABASE"
        }
    }

    @Test("a database that cannot be reached fails with a message naming it, never the password")
    func unreachable() async throws {
        let location = try PostgresLocation(url: "postgres://sched@127.0.0.1:1/ns?sslmode=disable")
        await #expect {
            try await PostgresStore(location: location, password: "s3cret-unreachable", timeout: .seconds(3))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("postgres://sched@127.0.0.1:1/ns: cannot open the scheduler store:")
                && !text.contains("s3cret-unreachable")
        }
    }

    @Test("a wrong password is refused by the server; the message says so and does not echo it")
    func wrongPassword() async throws {
        let location = try PostgresLocation(url: try TestPostgres.baseURL())
        await #expect {
            try await PostgresStore(location: location, password: "wrong-pa55word")
        } throws: { error in
            let text = "\(error)"
            return text.contains("password authentication failed") && !text.contains("wrong-pa55word")
        }
    }
}
