import Scheduler
import Testing

@Suite("jobs file")
struct JobConfigurationTests {
    static let full = """
        [scheduler]
        state = "var/state.sqlite"
        runner = ["/usr/local/bin/nightshift"]
        tick = "2s"
        late_after = "5m"
        shutdown_grace = "45s"

        [defaults]
        timezone = "Europe/Berlin"
        timeout = "2m"

        [[jobs]]
        name = "nightly-topup"
        script = "scripts/topup.lua"
        schedule = "0 3 * * *"
        args = { amount = 50, group = "gold", notify = true }
        grant = { allow = ["resellers.list", "resellers.add_credits"], max_credits = 500, max_credits_per_reseller = 100 }
        memory = "64M"
        overlap = "queue"
        catch_up = "within 2h"
        jitter = "30s"
        panel = "https://panel.example.com/"
        extra_args = ["--key-file", "/etc/nightshift/key"]

        [[jobs]]
        name = "check"
        script = "/opt/scripts/check.lua"
        schedule = "@every 15m"
        timezone = "UTC"
        overlap = "allow"
        catch_up = "skip"
        paused = true
        dry_run = true
        """

    func parse(_ toml: String) throws -> JobConfiguration {
        try JobConfiguration(toml: toml, fileName: "jobs.toml", baseDirectory: "/etc/nightshift")
    }

    func message(_ toml: String) -> String? {
        do {
            _ = try parse(toml)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("every key of a job is read, with defaults and paths relative to the file")
    func fullFile() throws {
        let configuration = try parse(Self.full)
        #expect(configuration.settings.statePath == "/etc/nightshift/var/state.sqlite")
        #expect(configuration.settings.runner == ["/usr/local/bin/nightshift"])
        #expect(configuration.settings.tick == 2)
        #expect(configuration.settings.lateAfter == 300)
        #expect(configuration.settings.shutdownGrace == 45)
        #expect(configuration.settings.killAfter == 5)
        let topup = configuration.jobs[0]
        #expect(topup.zone.identifier == "Europe/Berlin")
        #expect(topup.timeout == 120)
        #expect(topup.overlap == .queue)
        #expect(topup.catchUp == .within(seconds: 7200))
        #expect(topup.jitter == 30)
        let check = configuration.jobs[1]
        #expect(check.zone.identifier == "UTC")
        #expect(check.paused)
        #expect(check.catchUp == .skip)
        #expect(check.overlap == .allow)
        #expect(check.schedule == .every(seconds: 900, source: "@every 15m"))
    }

    @Test("the child command line is `nightshift run SCRIPT` with arguments, grant flags, limits and mode")
    func commandLine() throws {
        let configuration = try parse(Self.full)
        #expect(configuration.jobs[0].commandLine(runner: ["/usr/local/bin/nightshift"]) == [
            "/usr/local/bin/nightshift", "run", "/etc/nightshift/scripts/topup.lua",
            "--arg", "amount=50", "--arg", "group=gold", "--arg", "notify=true",
            "--allow", "resellers.list", "--allow", "resellers.add_credits",
            "--max-credits", "500", "--max-credits-per-reseller", "100",
            "--timeout", "2m", "--memory", "64M", "--panel", "https://panel.example.com/",
            "--key-file", "/etc/nightshift/key",
        ])
        #expect(configuration.jobs[1].commandLine(runner: ["nightshift"]) == [
            "nightshift", "run", "/opt/scripts/check.lua", "--timeout", "2m", "--dry-run",
        ])
    }

    @Test("a job's concurrency and rate reach the child run as --concurrency and --rate, from [defaults] too")
    func politenessFlags() throws {
        let configuration = try parse(
            """
            [defaults]
            concurrency = 8

            [[jobs]]
            name = "a"
            script = "/a.lua"
            schedule = "@daily"
            rate = 2.5

            [[jobs]]
            name = "b"
            script = "/b.lua"
            schedule = "@daily"
            concurrency = 2
            rate = 20
            """)
        #expect(configuration.jobs[0].commandLine(runner: ["nightshift"]) == [
            "nightshift", "run", "/a.lua", "--timeout", "5m", "--concurrency", "8", "--rate", "2.5",
        ])
        #expect(configuration.jobs[1].commandLine(runner: ["nightshift"]) == [
            "nightshift", "run", "/b.lua", "--timeout", "5m", "--concurrency", "2", "--rate", "20",
        ])
    }

    @Test("a job with approval = \"required\" runs nightshift plan --await-approval, and its deadline adds the wait")
    func approvalCommandLine() throws {
        var job = Job(name: "a", script: "/jobs/a.lua", schedule: try Schedule("@daily"), timeout: 60)
        job.approval = true
        job.approvalTimeout = 7200
        #expect(Array(job.commandLine(runner: ["nightshift"]).prefix(5)) == ["nightshift", "plan", "/jobs/a.lua", "--await-approval", "2h"])
        #expect(job.runLimit == 7260)
        job.approval = false
        #expect(Array(job.commandLine(runner: ["nightshift"]).prefix(3)) == ["nightshift", "run", "/jobs/a.lua"])
        #expect(job.runLimit == 60)
    }

    @Test("a job without grant gets no --allow flags: the run may call nothing")
    func emptyGrant() {
        #expect(JobGrant().flags.isEmpty)
        #expect(JobGrant(allow: ["resellers.list"]).flags == ["--allow", "resellers.list"])
    }

    @Test("errors name the file, the job, the key and what to write", arguments: [
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"0 0 32 * *\"",
         "jobs.toml: job 'a': schedule: cron: field 3 (day of month) '32': value out of range 1-31"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\ntimezone = \"Mars/Olympus\"",
         "jobs.toml: job 'a': timezone: unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Berlin or America/New_York"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\noverlap = \"wait\"",
         "jobs.toml: job 'a': overlap: 'wait' is not a policy; use skip, queue or allow"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\ncatch_up = \"within soon\"",
         "jobs.toml: job 'a': catch_up: 'within soon': write the window as a duration, e.g. \"within 2h\""),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\nscheduel = \"x\"",
         "jobs.toml: job 'a': unknown key 'scheduel'; known keys: approval, approval_timeout, args, catch_up, command, concurrency, dry_run, emulator, extra_args, grant, jitter, max_output, max_running_cluster, memory, name, notify, overlap, panel, panels, paused, pool, rate, retry, schedule, script, timeout, timezone"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"", "jobs.toml: job 'a': 'schedule' is missing (e.g. schedule = \"0 3 * * *\" or \"@every 15m\")"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\n[[jobs]]\nname = \"a\"\nscript = \"b.lua\"\nschedule = \"@daily\"",
         "jobs.toml: job 'a' is defined twice"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\ngrant = { max_credits = -5 }",
         "jobs.toml: job 'a' grant: max_credits: must be a whole number, 0 or more"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\nconcurrency = 0",
         "jobs.toml: job 'a': concurrency: must be at least 1 (the most requests in flight)"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\nrate = 0",
         "jobs.toml: job 'a': rate: must be a number of requests per second above 0, e.g. 20 or 2.5"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\nrate = \"fast\"",
         "jobs.toml: job 'a': rate: must be a number of requests per second above 0, e.g. 20 or 2.5"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\napproval = \"yes\"",
         "jobs.toml: job 'a': approval: 'yes' is not a choice; use \"required\" (each slot's plan waits for approval) or \"none\""),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\napproval_timeout = \"1h\"",
         "jobs.toml: job 'a': approval_timeout: only a job with approval = \"required\" waits for approval"),
        ("[[jobs]]\nname = \"a\"\ncommand = [\"/bin/true\"]\nschedule = \"@daily\"\napproval = \"required\"",
         "jobs.toml: job 'a': approval: a job with its own command cannot wait for approval; it needs a script"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\napproval = \"required\"\ndry_run = true",
         "jobs.toml: job 'a': approval: a dry-run job sends nothing, so there is nothing to approve"),
        ("[[jobs]]\nname = \"a\"\nscript = \"a.lua\"\nschedule = \"@daily\"\napproval = \"required\"\nemulator = true",
         "jobs.toml: job 'a': approval: the built-in emulator starts afresh for each connection, so a plan made on it cannot be applied to it; name a panel"),
        ("[scheduler]\nstate = \"x.sqlite\"", "jobs.toml: no jobs: add at least one [[jobs]] table with name, script and schedule"),
        ("[[jobs]\nname = 1", nil),
    ])
    func errors(toml: String, expected: String?) {
        let actual = message(toml)
        if let expected {
            #expect(actual == expected)
        } else {
            // A TOML syntax error points at a line and column.
            #expect(actual?.hasPrefix("jobs.toml:1:") == true, "\(actual ?? "accepted")")
        }
    }
}
