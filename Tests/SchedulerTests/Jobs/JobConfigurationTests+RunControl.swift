import Scheduler
import Testing

private let oneJob = "[[jobs]]\nname = \"a\"\nscript = \"/a.lua\"\nschedule = \"@daily\"\n"

/// `retry`, `max_running` and `max_output`, with the suite's `parse` and `message`.
extension JobConfigurationTests {
    @Test("retry is read from a job or [defaults]; delays grow by backoff up to max_delay")
    func retry() throws {
        let configuration = try parse(
            """
            [defaults]
            retry = { attempts = 4, delay = "1m", backoff = 2.5, max_delay = "5m" }

            \(oneJob)
            [[jobs]]
            name = "b"
            script = "/b.lua"
            schedule = "@daily"
            retry = { attempts = 2 }

            [[jobs]]
            name = "c"
            script = "/c.lua"
            schedule = "@daily"
            retry = { attempts = 1 }
            """)
        let a = try #require(configuration.jobs[0].retry)
        #expect(a == JobRetryPolicy(attempts: 4, delay: 60, backoff: 2.5, maxDelay: 300))
        #expect([1, 2, 3].map(a.delay(after:)) == [60, 150, 300])
        #expect(configuration.jobs[1].retry == JobRetryPolicy(attempts: 2, delay: 60, backoff: 2, maxDelay: 900))
        #expect(configuration.jobs[2].retry?.attempts == 1)
        #expect(try parse(oneJob).jobs[0].retry == nil)
    }

    @Test("[scheduler] max_running limits runs at once; without it there is no limit")
    func maxRunning() throws {
        #expect(try parse("[scheduler]\nmax_running = 50\n" + oneJob).settings.maxRunning == 50)
        #expect(try parse(oneJob).settings.maxRunning == nil)
    }

    @Test("max_output reaches the child as --max-output in bytes, from [defaults] too", arguments: [
        ("\"64K\"", "65536"), ("\"10M\"", "10485760"), ("\"1GiB\"", "1073741824"), ("4096", "4096"),
    ])
    func maxOutput(value: String, bytes: String) throws {
        let configuration = try parse("[defaults]\nmax_output = \(value)\n" + oneJob)
        #expect(configuration.jobs[0].commandLine(runner: ["nightshift"]) == [
            "nightshift", "run", "/a.lua", "--timeout", "5m", "--max-output", bytes,
        ])
    }

    @Test("bad retry, max_running and max_output settings name the key and what to write", arguments: [
        (oneJob + "retry = 3", "jobs.toml: job 'a': retry: must be a table, e.g. retry = { ... }"),
        (oneJob + "retry = { delay = \"1m\" }",
         "jobs.toml: job 'a' retry: attempts: missing; write e.g. retry = { attempts = 3, delay = \"1m\" } (3 runs at most)"),
        (oneJob + "retry = { attempts = 0 }",
         "jobs.toml: job 'a' retry: attempts: must be between 1 and 10 (runs per slot, the first included)"),
        (oneJob + "retry = { attempts = 11 }",
         "jobs.toml: job 'a' retry: attempts: must be between 1 and 10 (runs per slot, the first included)"),
        (oneJob + "retry = { attempts = 3, delay = \"soon\" }",
         "jobs.toml: job 'a' retry: delay: write a duration such as \"30s\", \"5m\" or \"1h30m\""),
        (oneJob + "retry = { attempts = 3, delay = 0 }", "jobs.toml: job 'a' retry: delay: must be at least 1s"),
        (oneJob + "retry = { attempts = 3, backoff = 0.5 }", "jobs.toml: job 'a' retry: backoff: must be a number, at least 1.0"),
        (oneJob + "retry = { attempts = 3, backoff = 20 }",
         "jobs.toml: job 'a' retry: backoff: must be between 1 and 10 (each wait this many times the last)"),
        (oneJob + "retry = { attempts = 3, delay = \"10m\", max_delay = \"5m\" }",
         "jobs.toml: job 'a' retry: max_delay: must be at least delay (10m)"),
        (oneJob + "retry = { attempts = 3, tries = 2 }",
         "jobs.toml: job 'a' retry: unknown key 'tries'; known keys: attempts, backoff, delay, max_delay"),
        ("[scheduler]\nmax_running = 0\n" + oneJob, "jobs.toml: [scheduler] max_running: must be at least 1 (the most runs at once)"),
        ("[scheduler]\nmax_running = \"many\"\n" + oneJob, "jobs.toml: [scheduler]: max_running: must be a whole number, 0 or more"),
        (oneJob + "max_output = \"lots\"", "jobs.toml: job 'a': max_output: write a size such as \"10M\", \"512K\" or \"1G\""),
        (oneJob + "max_output = 0", "jobs.toml: job 'a': max_output: write a size such as \"10M\", \"512K\" or \"1G\""),
    ])
    func errors(toml: String, expected: String) {
        #expect(message(toml) == expected)
    }
}
