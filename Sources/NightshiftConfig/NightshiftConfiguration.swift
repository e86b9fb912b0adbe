import Foundation
import TOMLKit

/// `nightshift.toml`: where the panel is, where its key is, default limits and the state
/// folder. Every key is optional; see docs/configuration.md.
///
/// ```toml
/// [panel]
/// url = "http://panel.example:8000/"
/// key_placement = "post"          # or "path"
/// key_file = "~/.config/nightshift/api-key"
/// timeout = "30s"
/// concurrency = 4                 # most requests in flight at once
/// rate = 20                       # most requests started per second (default: no limit)
///
/// [panels.eu]                     # a named panel: --panel eu, --panels eu,us or all
/// url = "https://eu.example:8001/"
/// key_file = "/etc/nightshift/eu.key"
///
/// [run]
/// timeout = "30s"
/// memory = "64M"
/// max_output = "10M"             # output a run may print; past it, output is dropped
///
/// [notify.alerts]                 # a notification target scripts may use when granted
/// webhook = "https://hooks.example/T0/B0/XYZ"   # a secret: never printed
///
/// [notify.mail]
/// command = ["/usr/local/bin/mail-ops"]          # gets the JSON on standard input
///
/// [state]
/// dir = "~/.local/state/nightshift"
///
/// [records]                       # share run records and the audit log among hosts
/// store = "postgres://nightshift@db.example:5432/nightshift"
/// password_file = "/etc/nightshift/pg-password"
///
/// [[endpoints]]                   # a panel endpoint scripts may call, when granted
/// name = "lines.extend"
/// path = "api/line/edit"
/// kind = "write"
/// target = "id"
/// credits = { param = "credits", sign = -1 }
/// required = ["id", "credits"]
/// doc = "Extend a line's expiry"
/// ```
public struct NightshiftConfiguration: Sendable, Equatable {
    /// The panel's base URL.
    public var panelURL: String?
    /// `post` or `path`.
    public var keyPlacement: String?
    /// A file holding the API key (refused when group or others can read it).
    public var keyFile: String?
    /// Time for one panel call.
    public var panelTimeout: Duration?
    /// The most panel requests in flight at once (`[panel] concurrency`, at least 1).
    public var panelConcurrency: Int?
    /// The most panel requests started per second (`[panel] rate`, above 0).
    public var panelRate: Double?
    /// Default run timeout.
    public var runTimeout: Duration?
    /// Default memory limit in bytes.
    public var memory: Int?
    /// `[run] max_output`: the most bytes of output a run may print.
    public var maxOutput: Int?
    /// `[notify.NAME]`: the notification targets scripts may be granted, by name.
    public var notifyTargets: [NotifyTarget] = []
    /// The state folder (audit log, run records, scheduler state).
    public var stateDirectory: String?
    /// `[modules] paths`: folders `require` searches, before any `--module-path`.
    public var modulePaths: [String] = []
    /// `[[endpoints]]`: panel endpoints the operator declares for scripts, in file order.
    public var endpoints: [EndpointDeclaration] = []
    /// `[approvals]`: who approves plans, and how many approvals a plan needs.
    public var approvals = ApprovalSettings()
    /// `[records] store`: a PostgreSQL URL (`postgres://USER@HOST:PORT/DB`, no password)
    /// where finished runs and their writes are copied, so that every host's show up in
    /// `nightshift runs` and `audit`; nil keeps them in the state folder only.
    public var recordsStore: String?
    /// `[records] password_file`: a file whose first line is that database's password.
    public var recordsPasswordFile: String?
    /// `[panels.NAME]`: the named panels, sorted by name (docs/configuration.md, "Panels").
    public var panels: [PanelDefinition] = []

    /// An empty configuration: every default applies.
    public init() {}

    /// Why a configuration could not be read; the message names the file and the key.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong and how to fix it.
        public let description: String
        /// Creates a failure.
        public init(_ description: String) { self.description = description }
    }

    /// Reads `nightshift.toml` text; `fileName` is used in messages; `~` in paths is
    /// expanded against `home`, relative paths against the file's folder.
    public static func parse(_ text: String, fileName: String, home: String) throws(Failure) -> NightshiftConfiguration {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch {
            throw Failure("\(fileName): not valid TOML: \(error)")
        }
        var configuration = NightshiftConfiguration()
        let base = (fileName as NSString).deletingLastPathComponent
        func path(_ raw: String) -> String { Self.expand(raw, home: home, base: base) }
        try reject(
            root, known: ["panel", "panels", "run", "state", "modules", "notify", "records", "endpoints", "approvals"], context: fileName)
        if let panel = root["panel"] {
            guard let table = panel.table else { throw Failure("\(fileName): [panel] must be a table") }
            try reject(
                table, known: ["url", "key_placement", "key_file", "timeout", "concurrency", "rate"],
                context: "\(fileName): [panel]")
            configuration.panelURL = try string(table, "url", "\(fileName): [panel]")
            if let placement = try string(table, "key_placement", "\(fileName): [panel]") {
                guard placement == "post" || placement == "path" else {
                    throw Failure("\(fileName): [panel] key_placement must be \"post\" or \"path\", got \"\(placement)\"")
                }
                configuration.keyPlacement = placement
            }
            configuration.keyFile = try string(table, "key_file", "\(fileName): [panel]").map(path)
            let shared = try sharedPanelSettings(table, context: "\(fileName): [panel]")
            configuration.panelTimeout = shared.timeout
            configuration.panelConcurrency = shared.concurrency
            configuration.panelRate = shared.rate
        }
        if let run = root["run"] {
            guard let table = run.table else { throw Failure("\(fileName): [run] must be a table") }
            try reject(table, known: ["timeout", "memory", "max_output"], context: "\(fileName): [run]")
            if let text = try string(table, "max_output", "\(fileName): [run]") {
                guard let bytes = Limits.bytes(text), bytes > 0 else {
                    throw Failure("\(fileName): [run] max_output: \"\(text)\" is not a size such as \"10M\"")
                }
                configuration.maxOutput = bytes
            }
            if let text = try string(table, "timeout", "\(fileName): [run]") {
                guard let duration = Limits.duration(text) else {
                    throw Failure("\(fileName): [run] timeout: \"\(text)\" is not a duration such as \"30s\" or \"2m\"")
                }
                configuration.runTimeout = duration
            }
            if let text = try string(table, "memory", "\(fileName): [run]") {
                guard let bytes = Limits.bytes(text) else {
                    throw Failure("\(fileName): [run] memory: \"\(text)\" is not a size such as \"64M\"")
                }
                configuration.memory = bytes
            }
        }
        if let modules = root["modules"] {
            guard let table = modules.table else { throw Failure("\(fileName): [modules] must be a table") }
            try reject(table, known: ["paths"], context: "\(fileName): [modules]")
            if let value = table["paths"] {
                guard let array = value.array else {
                    throw Failure("\(fileName): [modules] paths must be a list of folders, such as [\"lib\"]")
                }
                configuration.modulePaths = try array.map { item throws(Failure) in
                    guard let text = item.string else {
                        throw Failure("\(fileName): [modules] paths must be a list of folders, such as [\"lib\"]")
                    }
                    return path(text)
                }
            }
        }
        if let panels = root["panels"] {
            configuration.panels = try Self.panels(panels, fileName: fileName, path: path)
        }
        if let notify = root["notify"] {
            configuration.notifyTargets = try notifyTargets(notify, fileName: fileName)
        }
        if let approvals = root["approvals"] {
            configuration.approvals = try ApprovalSettings.parse(approvals, fileName: fileName)
        }
        if let endpoints = root["endpoints"] {
            configuration.endpoints = try EndpointDeclaration.parse(endpoints, text: text, fileName: fileName)
        }
        if let state = root["state"] {
            guard let table = state.table else { throw Failure("\(fileName): [state] must be a table") }
            try reject(table, known: ["dir"], context: "\(fileName): [state]")
            configuration.stateDirectory = try string(table, "dir", "\(fileName): [state]").map(path)
        }
        if let records = root["records"] {
            guard let table = records.table else { throw Failure("\(fileName): [records] must be a table") }
            try reject(table, known: ["store", "password_file"], context: "\(fileName): [records]")
            configuration.recordsStore = try string(table, "store", "\(fileName): [records]")
            configuration.recordsPasswordFile = try string(table, "password_file", "\(fileName): [records]").map(path)
            if configuration.recordsPasswordFile != nil && configuration.recordsStore == nil {
                throw Failure("\(fileName): [records] password_file needs store = \"postgres://USER@HOST:PORT/DATABASE\"")
            }
        }
        return configuration
    }

    /// `[notify.NAME]` tables: each one `webhook = "URL"` or `command = ["prog", "arg"]`.
    private static func notifyTargets(_ value: any TOMLValueConvertible, fileName: String) throws(Failure) -> [NotifyTarget] {
        guard let table = value.table else { throw Failure("\(fileName): [notify] must hold tables such as [notify.alerts]") }
        var targets: [NotifyTarget] = []
        for name in table.keys.sorted() {
            let context = "\(fileName): [notify.\(name)]"
            guard NotifyTarget.isValidName(name) else {
                throw Failure("\(context): a target's name may hold only letters, digits, '_' and '-'")
            }
            guard let entry = table[name]?.table else {
                throw Failure("\(context) must be a table with webhook = \"URL\" or command = [\"prog\", \"arg\"]")
            }
            try reject(entry, known: ["webhook", "command"], context: context)
            let webhook = try string(entry, "webhook", context)
            let command: [String]? = try entry["command"].map { value throws(Failure) in
                guard let array = value.array, !array.isEmpty else {
                    throw Failure("\(context) command must be a non-empty list of strings, such as [\"/usr/local/bin/notify\", \"--ops\"]")
                }
                return try array.map { item throws(Failure) in
                    guard let text = item.string else {
                        throw Failure("\(context) command must be a non-empty list of strings, such as [\"/usr/local/bin/notify\", \"--ops\"]")
                    }
                    return text
                }
            }
            switch (webhook, command) {
            case (let url?, nil):
                // The URL is a secret: the message names the key, never the value.
                guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                    throw Failure("\(context) webhook must be an http:// or https:// URL")
                }
                targets.append(NotifyTarget(name: name, delivery: .webhook(url)))
            case (nil, let argv?):
                targets.append(NotifyTarget(name: name, delivery: .command(argv)))
            default:
                throw Failure("\(context) needs exactly one of webhook = \"URL\" or command = [\"prog\", \"arg\"]")
            }
        }
        return targets
    }

    package static func reject(_ table: TOMLTable, known: Set<String>, context: String) throws(Failure) {
        for key in table.keys where !known.contains(key) {
            throw Failure("\(context): unknown key '\(key)'; known keys: \(known.sorted().joined(separator: ", "))")
        }
    }

    static func string(_ table: TOMLTable, _ key: String, _ context: String) throws(Failure) -> String? {
        guard let value = table[key] else { return nil }
        guard let text = value.string else { throw Failure("\(context) \(key) must be a string") }
        return text
    }

    /// `~/x` against `home`; a relative path against `base`.
    public static func expand(_ raw: String, home: String, base: String) -> String {
        if raw == "~" { return home }
        if raw.hasPrefix("~/") { return home + raw.dropFirst(1) }
        if raw.hasPrefix("/") || base.isEmpty { return raw }
        return base + "/" + raw
    }
}
