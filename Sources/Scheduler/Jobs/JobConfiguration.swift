import Foundation
import NightshiftCore
import TOMLKit

/// A jobs file: the `[scheduler]` settings, optional `[defaults]` for every job, and the
/// `[[jobs]]` list. `docs/scheduling.md` describes every key.
public struct JobConfiguration: Sendable {
    /// Daemon settings.
    public var settings: SchedulerSettings
    /// The jobs, in file order, names unique.
    public var jobs: [Job]
    /// The web console's `[console]` table; nil when the file has none (no console is served).
    public var console: ConsoleSettings?

    /// Creates a configuration from parts (tests, embedding).
    public init(settings: SchedulerSettings, jobs: [Job]) {
        self.settings = settings
        self.jobs = jobs
    }

    /// Reads and checks a jobs file; relative paths in it are relative to its folder.
    /// - Throws: `ConfigurationError` naming the file, the job and the key at fault.
    public static func load(path: String) throws(ConfigurationError) -> JobConfiguration {
        let text: String
        do {
            text = try FileRead.text(path, what: "the jobs file")
        } catch {
            throw ConfigurationError(error.description)
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try JobConfiguration(toml: text, fileName: path, baseDirectory: directory.isEmpty ? "." : directory)
    }

    private static let settingKeys: Set<String> = ["state", "logs", "runner", "tick", "late_after", "shutdown_grace", "kill_after", "keep_history",
        "store", "password_file", "lease", "metrics", "max_running",
    ]
    private static let jobKeys: Set<String> = [
        "name", "script", "args", "schedule", "timezone", "grant", "timeout", "memory", "overlap", "catch_up",
        "jitter", "paused", "dry_run", "panel", "panels", "emulator", "extra_args", "command", "concurrency", "rate",
        "notify", "retry", "max_output", "pool", "max_running_cluster", "approval", "approval_timeout",
    ]
    private static let grantKeys: Set<String> = ["allow", "max_credits", "max_credits_per_reseller"]

    /// Parses the text of a jobs file.
    /// - Parameters:
    ///   - fileName: used at the start of every error message.
    ///   - baseDirectory: relative script and state paths are resolved against it.
    public init(toml: String, fileName: String, baseDirectory: String) throws(ConfigurationError) {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: toml)
        } catch let error as TOMLParseError {
            throw ConfigurationError(
                "\(fileName):\(error.source.begin.line):\(error.source.begin.column): invalid TOML: \(error.description)")
        } catch {
            throw ConfigurationError("\(fileName): invalid TOML: \(error)")
        }
        func fail(_ message: String) -> ConfigurationError { ConfigurationError("\(fileName): \(message)") }
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
        }
        for key in root.keys where !["scheduler", "defaults", "jobs", "pools", "console"].contains(key) {
            throw fail("unknown top-level key '\(key)'; expected [scheduler], [pools], [defaults], [[jobs]] or [console]")
        }
        if let value = root["console"] {
            guard let table = value.table else { throw fail("'console' must be a table: write [console]") }
            console = try ConsoleSettings.read(table, fileName: fileName, resolve: resolve)
        }

        let schedulerTable = root["scheduler"]?.table ?? TOMLTable()
        let s = TOMLReader(table: schedulerTable, context: "[scheduler]", fileName: fileName)
        try s.rejectUnknown(Self.settingKeys)
        var tick = schedulerTable["tick"]?.double ?? 1
        if schedulerTable["tick"]?.double == nil, let seconds = try s.duration("tick") { tick = Double(seconds) }
        var lease = schedulerTable["lease"]?.double ?? 15
        if schedulerTable["lease"]?.double == nil, let seconds = try s.duration("lease") { lease = Double(seconds) }
        let store = try s.string("store")
        if let store {
            do { _ = try PostgresLocation(url: store) } catch { throw fail("[scheduler] store: \(error)") }
        }
        settings = SchedulerSettings(
            statePath: resolve(try s.string("state") ?? "nightshift-state.sqlite"),
            logDirectory: try s.string("logs").map(resolve),
            runner: try s.strings("runner"),
            tick: tick,
            lateAfter: try s.duration("late_after") ?? 60,
            shutdownGrace: try s.duration("shutdown_grace") ?? 30,
            killAfter: try s.duration("kill_after") ?? 5,
            keepHistory: try s.duration("keep_history") ?? 90 * 86_400,
            store: store,
            passwordFile: try s.string("password_file").map(resolve),
            lease: lease
        )
        if settings.lease < 0.5 || settings.lease > 3600 { throw fail("[scheduler] lease: must be between 0.5 seconds and 1 hour") }
        if settings.tick < 0.05 || settings.tick > 60 { throw fail("[scheduler] tick: must be between 0.05 and 60 seconds") }
        settings.metrics = try MetricsAddress.read(s)
        if let maxRunning = try s.int("max_running") {
            guard maxRunning >= 1 else { throw fail("[scheduler] max_running: must be at least 1 (the most runs at once)") }
            settings.maxRunning = maxRunning
        }

        settings.pools = try Self.pools(root["pools"], fail: fail)

        let defaults = root["defaults"]?.table ?? TOMLTable()
        try TOMLReader(table: defaults, context: "[defaults]", fileName: fileName).rejectUnknown(Self.jobKeys.subtracting(["name"]))
        guard let list = root["jobs"] else {
            throw fail("no jobs: add at least one [[jobs]] table with name, script and schedule")
        }
        guard let array = list.array else { throw fail("'jobs' must be an array of tables: write [[jobs]]") }
        var jobs: [Job] = []
        var seen: Set<String> = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else { throw fail("jobs[\(index + 1)] must be a table: write [[jobs]]") }
            let name = table["name"]?.string ?? ""
            guard !name.isEmpty else { throw fail("jobs[\(index + 1)]: 'name' is missing") }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                throw fail("job '\(name)': name may use only letters, digits, '-', '_' and '.'")
            }
            guard seen.insert(name).inserted else { throw fail("job '\(name)' is defined twice") }
            let r = TOMLReader(table: table, defaults: defaults, context: "job '\(name)'", fileName: fileName)
            var job = try Self.job(name: name, reader: r, resolve: resolve)
            job.notify = try JobNotify.read(r)
            try Self.readLimits(&job, reader: r, pools: settings.pools)
            jobs.append(job)
        }
        self.jobs = jobs
    }

    private static func job(name: String, reader r: TOMLReader, resolve: (String) -> String) throws(ConfigurationError) -> Job {
        try r.rejectUnknown(jobKeys)
        let command = try r.strings("command")
        let script = try r.string("script")
        guard script != nil || command != nil else { throw r.fail("'script' is missing") }
        guard let scheduleText = try r.string("schedule") else {
            throw r.fail("'schedule' is missing (e.g. schedule = \"0 3 * * *\" or \"@every 15m\")")
        }
        let schedule: Schedule
        do { schedule = try Schedule(scheduleText) } catch { throw r.fail("schedule: \(error)") }
        let zone: ZoneRules
        do { zone = try ZoneRules(identifier: try r.string("timezone") ?? "UTC") } catch { throw r.fail("timezone: \(error)") }

        var grant = JobGrant()
        if let grantTable = try r.table("grant") {
            let g = TOMLReader(table: grantTable, context: "\(r.context) grant", fileName: r.fileName)
            try g.rejectUnknown(grantKeys)
            grant = JobGrant(
                allow: try g.strings("allow") ?? [], maxCredits: try g.int("max_credits"),
                maxCreditsPerReseller: try g.int("max_credits_per_reseller"))
        }
        var arguments: [(key: String, value: String)] = []
        if let args = try r.table("args") {
            for key in args.keys.sorted() {
                guard let value = args[key] else { continue }
                if let text = value.string {
                    arguments.append((key, text))
                } else if let number = value.int {
                    arguments.append((key, String(number)))
                } else if let flag = value.bool {
                    arguments.append((key, flag ? "true" : "false"))
                } else if let number = value.double {
                    arguments.append((key, String(number)))
                } else {
                    throw r.fail("args.\(key): must be a string, number or boolean")
                }
            }
        }
        let overlapText = try r.string("overlap") ?? "skip"
        guard let overlap = OverlapPolicy(rawValue: overlapText) else {
            throw r.fail("overlap: '\(overlapText)' is not a policy; use skip, queue or allow")
        }
        let catchUp = try Self.catchUp(try r.string("catch_up") ?? "once", reader: r)
        let timeout = try r.duration("timeout") ?? 300
        guard timeout >= 1 else { throw r.fail("timeout: must be at least 1s") }
        var runFlags: [String] = []
        if try r.bool("dry_run") == true { runFlags.append("--dry-run") }
        let panel = try r.string("panel")
        if let panel { runFlags += ["--panel", panel] }
        let panels = try Self.panels(reader: r, panel: panel)
        if let panels { runFlags += ["--panels", panels.joined(separator: ",")] }
        if try r.bool("emulator") == true {
            if panels != nil { throw r.fail("emulator: a fleet (panels) runs on the panels it names; leave out emulator") }
            runFlags.append("--emulator")
        }
        if let concurrency = try r.int("concurrency") {
            guard concurrency >= 1 else { throw r.fail("concurrency: must be at least 1 (the most requests in flight)") }
            runFlags += ["--concurrency", String(concurrency)]
        }
        if let rate = try r.rate("rate") { runFlags += ["--rate", rate] }
        if let maxOutput = try r.size("max_output") { runFlags += ["--max-output", String(maxOutput)] }
        runFlags += try r.strings("extra_args") ?? []
        var job = Job(
            name: name, script: script.map(resolve) ?? "", arguments: arguments, schedule: schedule, zone: zone,
            grant: grant, timeout: timeout, memory: try r.string("memory"), runFlags: runFlags, command: command,
            overlap: overlap, catchUp: catchUp, jitter: try r.duration("jitter") ?? 0, paused: try r.bool("paused") ?? false,
            retry: try JobRetryPolicy(reader: r))
        job.panels = panels ?? panel.flatMap { $0.contains("://") ? nil : [$0] } ?? []
        try Self.approval(of: &job, reader: r)
        return job
    }

    /// `panels = ["eu", "us"]` (or `["all"]`): the job runs as a fleet; nil when not set.
    private static func panels(reader r: TOMLReader, panel: String?) throws(ConfigurationError) -> [String]? {
        guard let names = try r.strings("panels") else { return nil }
        if panel != nil { throw r.fail("panels: a job names one panel (panel) or a fleet (panels), not both") }
        guard !names.isEmpty else { throw r.fail("panels: name at least one panel of nightshift.toml, e.g. [\"eu\", \"us\"], or [\"all\"]") }
        for name in names {
            let valid = !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            guard valid else {
                throw r.fail("panels: '\(name)' is not a panel name of nightshift.toml ([panels.NAME]: letters, digits, _ and -)")
            }
        }
        if names.contains("all") && names.count > 1 { throw r.fail("panels: \"all\" stands alone: [\"all\"]") }
        return names
    }

    /// `approval = "required"` and `approval_timeout`.
    private static func approval(of job: inout Job, reader r: TOMLReader) throws(ConfigurationError) {
        switch try r.string("approval") {
        case nil, "none": break
        case "required": job.approval = true
        case let other?: throw r.fail("approval: '\(other)' is not a choice; use \"required\" (each slot's plan waits for approval) or \"none\"")
        }
        if let wait = try r.duration("approval_timeout") {
            guard job.approval else { throw r.fail("approval_timeout: only a job with approval = \"required\" waits for approval") }
            guard wait >= 1 else { throw r.fail("approval_timeout: must be at least 1s") }
            job.approvalTimeout = wait
        }
        guard job.approval else { return }
        if job.command != nil { throw r.fail("approval: a job with its own command cannot wait for approval; it needs a script") }
        if job.runFlags.contains("--dry-run") { throw r.fail("approval: a dry-run job sends nothing, so there is nothing to approve") }
        if job.runFlags.contains("--panels") {
            throw r.fail("approval: a fleet job (panels) cannot wait for approval: a waiting plan covers one panel; make one job per panel, or plan the fleet by hand (nightshift plan --panels, approve, apply)")
        }
        if job.runFlags.contains("--emulator") {
            throw r.fail("approval: the built-in emulator starts afresh for each connection, so a plan made on it cannot be applied to it; name a panel")
        }
    }

    /// `[pools]`: names (letters, digits, `-`, `_`, `.`) to sizes of at least 1.
    private static func pools(
        _ value: (any TOMLValueConvertible)?, fail: (String) -> ConfigurationError
    ) throws(ConfigurationError) -> [String: Int] {
        guard let value else { return [:] }
        guard let table = value.table else { throw fail("[pools] must be a table of sizes, e.g. [pools] panel-eu = 4") }
        var pools: [String: Int] = [:]
        for name in table.keys {
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                throw fail("[pools] '\(name)': a pool name may use only letters, digits, '-', '_' and '.'")
            }
            guard let size = table[name]?.int, size >= 1 else {
                throw fail("[pools] \(name): must be a whole number of runs at once, at least 1 (e.g. \(name) = 4)")
            }
            pools[name] = size
        }
        return pools
    }

    /// A job's cluster-wide limit: `pool` (one of `[pools]`) or `max_running_cluster`, not both.
    private static func readLimits(_ job: inout Job, reader r: TOMLReader, pools: [String: Int]) throws(ConfigurationError) {
        job.pool = try r.string("pool")
        job.maxRunningCluster = try r.int("max_running_cluster")
        if let pool = job.pool, pools[pool] == nil {
            let known = pools.keys.sorted().joined(separator: ", ")
            throw r.fail("pool '\(pool)' is not in [pools]; add it, e.g. [pools] \(pool) = 4" + (known.isEmpty ? "" : " (pools: \(known))"))
        }
        if let limit = job.maxRunningCluster {
            guard limit >= 1 else { throw r.fail("max_running_cluster: must be at least 1 (the most runs of the job at once)") }
            guard job.pool == nil else {
                throw r.fail("give either pool or max_running_cluster, not both: a pool of one job is max_running_cluster")
            }
        }
    }

    private static func catchUp(_ text: String, reader r: TOMLReader) throws(ConfigurationError) -> CatchUpPolicy {
        switch text.trimmingWhitespace.lowercased() {
        case "skip": return .skip
        case "once": return .once
        case "all": return .all
        case let other where other.hasPrefix("within"):
            let window = String(other.dropFirst("within".count))
            guard let seconds = DurationText.seconds(window), seconds > 0 else {
                throw r.fail("catch_up: '\(text)': write the window as a duration, e.g. \"within 2h\"")
            }
            return .within(seconds: seconds)
        default:
            throw r.fail("catch_up: '\(text)' is not a policy; use skip, once, all or \"within 2h\"")
        }
    }
}
