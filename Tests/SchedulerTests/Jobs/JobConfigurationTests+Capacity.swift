import Scheduler
import Testing

private let oneJob = "[[jobs]]\nname = \"a\"\nscript = \"/a.lua\"\nschedule = \"@daily\"\n"

/// `[pools]`, `pool` and `max_running_cluster`, with the suite's `parse` and `message`.
extension JobConfigurationTests {
    @Test("[pools] sizes cluster-wide pools; a job names its pool (from [defaults] too) or sets max_running_cluster")
    func pools() throws {
        let configuration = try parse(
            """
            [pools]
            panel-eu = 4
            "panel.us" = 2

            [defaults]
            pool = "panel-eu"

            \(oneJob)
            [[jobs]]
            name = "b"
            script = "/b.lua"
            schedule = "@daily"
            pool = "panel.us"

            [[jobs]]
            name = "c"
            script = "/c.lua"
            schedule = "@daily"
            pool = "panel.us"
            """)
        #expect(configuration.settings.pools == ["panel-eu": 4, "panel.us": 2])
        #expect(configuration.jobs.map(\.pool) == ["panel-eu", "panel.us", "panel.us"])
        let own = try parse(oneJob + "max_running_cluster = 3\n").jobs[0]
        #expect(own.maxRunningCluster == 3 && own.pool == nil)
        #expect(PoolName.of(own) == "job:a")
        #expect(try parse(oneJob).jobs[0].pool == nil && PoolName.of(try parse(oneJob).jobs[0]) == nil)
    }

    @Test("bad pools and cluster-wide limits name the key and what to write", arguments: [
        (oneJob + "pool = \"eu\"\n", "jobs.toml: job 'a': pool 'eu' is not in [pools]; add it, e.g. [pools] eu = 4"),
        ("[pools]\nus = 2\n" + oneJob + "pool = \"eu\"\n",
         "jobs.toml: job 'a': pool 'eu' is not in [pools]; add it, e.g. [pools] eu = 4 (pools: us)"),
        ("[pools]\neu = 0\n" + oneJob, "jobs.toml: [pools] eu: must be a whole number of runs at once, at least 1 (e.g. eu = 4)"),
        ("[pools]\neu = \"4\"\n" + oneJob, "jobs.toml: [pools] eu: must be a whole number of runs at once, at least 1 (e.g. eu = 4)"),
        ("[pools]\n\"job:x\" = 2\n" + oneJob,
         "jobs.toml: [pools] 'job:x': a pool name may use only letters, digits, '-', '_' and '.'"),
        ("pools = 4\n" + oneJob, "jobs.toml: [pools] must be a table of sizes, e.g. [pools] panel-eu = 4"),
        (oneJob + "max_running_cluster = 0\n",
         "jobs.toml: job 'a': max_running_cluster: must be at least 1 (the most runs of the job at once)"),
        ("[pools]\neu = 2\n" + oneJob + "pool = \"eu\"\nmax_running_cluster = 2\n",
         "jobs.toml: job 'a': give either pool or max_running_cluster, not both: a pool of one job is max_running_cluster"),
    ])
    func badPools(toml: String, expected: String) {
        #expect(message(toml) == expected)
    }
}
