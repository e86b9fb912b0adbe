import Console
import Foundation
import Scheduler
import TestScratch
import Testing

/// `[console]` in the jobs file: loopback unless told otherwise, TLS or an explicit
/// `insecure_http` for any other address.
@Suite("The console's settings")
struct SettingsTests {
    static func load(_ console: String) throws -> JobConfiguration {
        try JobConfiguration(
            toml: "[console]\n\(console)\n[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\n",
            fileName: "jobs.toml", baseDirectory: "/etc/nightshift")
    }

    @Test("the defaults: 127.0.0.1:8080, users beside the jobs file, 30 minutes idle")
    func defaults() throws {
        let settings = try #require(try Self.load("").console)
        #expect(settings.listen == MetricsAddress(host: "127.0.0.1", port: 8080))
        #expect(settings.usersFile == "/etc/nightshift/console-users.toml")
        #expect(settings.sessionIdle == 1800 && !settings.insecureHTTP && !settings.usesTLS)
    }

    @Test("a non-loopback address without TLS is refused, naming the three ways out")
    func nonLoopbackWithoutTLS() throws {
        #expect {
            try Self.load("listen = \"0.0.0.0:8080\"")
        } throws: { error in
            "\(error)"
                == "jobs.toml: [console]: listen: 0.0.0.0:8080 is not a loopback address, and the console would send passwords and session cookies over plain HTTP; set tls_cert and tls_key to serve HTTPS, listen on 127.0.0.1 behind a reverse proxy that does TLS, or set insecure_http = true to accept the risk (every page then says so)"
        }
        #expect(throws: (any Error).self) { try Self.load("listen = \"192.168.1.20:8080\"") }
        #expect(throws: (any Error).self) { try Self.load("listen = \"[::]:8080\"") }
    }

    @Test("a non-loopback address is served with TLS, or with insecure_http = true")
    func nonLoopbackAllowed() throws {
        let tls = try #require(try Self.load("listen = \"0.0.0.0:8443\"\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"").console)
        #expect(tls.usesTLS && tls.tlsCertificate == "/etc/nightshift/c.pem")
        let plain = try #require(try Self.load("listen = \"0.0.0.0:8080\"\ninsecure_http = true").console)
        #expect(plain.insecureHTTP && plain.problem == nil)
    }

    @Test("the server itself refuses settings that were not checked by the jobs file")
    func serverChecksToo() async throws {
        let settings = ConsoleSettings(listen: MetricsAddress(host: "10.0.0.5", port: 8080), usersFile: "/nonexistent/users.toml")
        let store: any SchedulerStore = try SQLiteStore(path: Scratch.path("store") + ".sqlite")
        let sources = ConsoleSources(jobs: { try Self.load("") }, store: store, records: EmptyRecords())
        #expect {
            _ = try ConsoleServer(settings: settings, sources: sources, logger: .init(label: "test"))
        } throws: { error in
            "\(error)".hasPrefix("[console] listen: 10.0.0.5:8080 is not a loopback address")
        }
        await store.close()
    }

    @Test("half a TLS pair, a bad address and an unknown key are refused with what to write")
    func badTables() throws {
        #expect {
            try Self.load("tls_cert = \"c.pem\"")
        } throws: { error in
            "\(error)" == "jobs.toml: [console]: tls_cert and tls_key go together: set both to serve HTTPS, or neither"
        }
        #expect {
            try Self.load("listen = \"8080\"")
        } throws: { error in
            "\(error)" == "jobs.toml: [console]: listen: '8080' is not HOST:PORT; write e.g. \"127.0.0.1:8080\""
        }
        #expect {
            try Self.load("password = \"hunter2\"")
        } throws: { error in
            "\(error)".hasPrefix("jobs.toml: [console]: unknown key 'password'; known keys: ")
        }
    }

    @Test("loopback means 127.0.0.0/8, ::1 and localhost, nothing else")
    func loopback() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"] { #expect(ConsoleSettings.isLoopback(host)) }
        for host in ["0.0.0.0", "::", "10.0.0.1", "127.0.0.1.evil.example", "localhost.evil.example", "128.0.0.1"] {
            #expect(!ConsoleSettings.isLoopback(host))
        }
    }
}
