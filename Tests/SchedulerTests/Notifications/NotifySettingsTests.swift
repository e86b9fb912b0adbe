import Scheduler
import Testing

@Suite("notify and metrics settings in the jobs file")
struct NotifySettingsTests {
    func parse(_ toml: String) throws -> JobConfiguration {
        try JobConfiguration(toml: toml, fileName: "jobs.toml", baseDirectory: "/etc/nightshift")
    }

    func message(_ toml: String) -> String {
        do {
            _ = try parse(toml)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    static let job = "[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\n"

    @Test("[defaults] notify applies to every job, and a job's own keys win one by one")
    func defaultsMerge() throws {
        let configuration = try parse(
            """
            [defaults]
            notify = { webhook = "https://hooks.example.com/services/T0/B0/xyz", on = ["failure"] }

            [[jobs]]
            name = "a"
            script = "a.lua"
            schedule = "@daily"

            [[jobs]]
            name = "b"
            script = "b.lua"
            schedule = "@daily"
            notify = { on = ["failure", "success"], ping = "https://hc-ping.com/5bf66975" }
            """)
        let a = configuration.jobs[0].notify
        #expect(a.webhook == "https://hooks.example.com/services/T0/B0/xyz")
        #expect(a.on == [.failure])
        #expect(a.ping == nil)
        let b = configuration.jobs[1].notify
        #expect(b.webhook == "https://hooks.example.com/services/T0/B0/xyz")
        #expect(b.on == [.failure, .success])
        #expect(b.ping == "https://hc-ping.com/5bf66975")
    }

    @Test("without `on`, a job hears about failures, unknown outcomes, missed slots, recoveries and plans waiting for approval; with no notify, nothing is sent")
    func defaultEvents() throws {
        let configuration = try parse(Self.job + "notify = { command = [\"/usr/local/bin/mail-ops\", \"-s\", \"nightshift\"] }")
        #expect(configuration.jobs[0].notify.on == [.failure, .outcomeUnknown, .missed, .recovered, .approvalNeeded])
        #expect(configuration.jobs[0].notify.command == ["/usr/local/bin/mail-ops", "-s", "nightshift"])
        #expect(try parse(Self.job).jobs[0].notify.hasTargets == false)
    }

    @Test("bad notify settings are refused with the file, the job and the key; a URL is never repeated in the message", arguments: [
        ("notify = { on = [\"failed\"], webhook = \"https://h.example.com/x\" }",
         "jobs.toml: job 'a' notify: on: 'failed' is not an event; use failure, outcome-unknown, missed, recovered, success, approval-needed"),
        ("notify = { webhook = \"hooks.example.com/s3cr3t\" }",
         "jobs.toml: job 'a' notify: webhook: not an http(s) URL with a host (write it as https://host/path; the value is not shown, it is a secret)"),
        ("notify = { ping = \"ftp://hc.example.com/s3cr3t\" }",
         "jobs.toml: job 'a' notify: ping: not an http(s) URL with a host (write it as https://host/path; the value is not shown, it is a secret)"),
        ("notify = { ping = \"https://hc.example.com/s3cr3t?x=1\" }",
         "jobs.toml: job 'a' notify: ping: the URL must not have a query (?…): nightshift adds /start, /fail and ?rid= itself"),
        ("notify = { command = [] }",
         "jobs.toml: job 'a' notify: command: give the program and its arguments, e.g. [\"/usr/local/bin/mail-ops\"]"),
        ("notify = { webhok = \"https://h.example.com/x\" }",
         "jobs.toml: job 'a' notify: unknown key 'webhok'; known keys: command, on, ping, webhook"),
        ("notify = \"https://h.example.com/x\"", "jobs.toml: job 'a': notify: must be a table, e.g. notify = { ... }"),
    ])
    func errors(line: String, expected: String) {
        let actual = message(Self.job + line)
        #expect(actual == expected)
        #expect(!actual.contains("s3cr3t"))
    }

    @Test("[scheduler] metrics takes HOST:PORT (IPv6 in brackets) and refuses anything else", arguments: [
        ("127.0.0.1:9464", "127.0.0.1:9464"), ("0.0.0.0:9464", "0.0.0.0:9464"), ("[::1]:9464", "[::1]:9464"),
        ("localhost:0", "localhost:0"), ("9464", nil), ("127.0.0.1", nil), ("127.0.0.1:99999", nil), ("::1:9464", nil),
    ])
    func metricsAddress(text: String, expected: String?) {
        #expect(MetricsAddress(text)?.description == expected)
    }

    @Test("a bad metrics address names the key and shows what to write")
    func metricsError() throws {
        #expect(
            message("[scheduler]\nmetrics = \"9464\"\n" + Self.job)
                == "jobs.toml: [scheduler]: metrics: '9464' is not HOST:PORT; write e.g. \"127.0.0.1:9464\" (or \"0.0.0.0:9464\" to be scraped from other machines)")
        #expect(try parse("[scheduler]\nmetrics = \"127.0.0.1:9464\"\n" + Self.job).settings.metrics == MetricsAddress(host: "127.0.0.1", port: 9464))
        #expect(try parse(Self.job).settings.metrics == nil)
    }
}
