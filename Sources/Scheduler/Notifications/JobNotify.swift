import Foundation
import NightshiftCore
import TOMLKit

/// A job's notification settings: `notify = { on = [...], webhook = URL, ping = URL,
/// command = [...] }` in its table or in `[defaults]` (a job's own key wins, key by key).
///
/// `on` chooses the events the webhook and the command hear about; the ping follows the
/// healthchecks.io conventions on every run whatever `on` says (`/start`, then success or
/// `/fail`), since a dead man's switch must hear about successes too.
public struct JobNotify: Sendable, Equatable {
    /// What a notification is about.
    public enum Event: String, Sendable, CaseIterable, Codable {
        /// A run ended unsuccessfully (failed, timed out, interrupted, cancelled, refused,
        /// crashed…), except an unknown outcome, which has its own event.
        case failure
        /// A run ended with a write whose outcome is unknown: check the panel.
        case outcomeUnknown = "outcome-unknown"
        /// A slot did not run on time: skipped (overlap, catch-up policy, missed while the
        /// daemon was down) or run late as a catch-up.
        case missed
        /// The first success after an unsuccessful run.
        case recovered
        /// A run succeeded.
        case success
        /// A job with `approval = "required"` made its plan, which waits for approval: the
        /// message carries the plan's id, digest, summary and how to approve it.
        case approvalNeeded = "approval-needed"
    }

    /// The events the webhook and the command are sent; by default every one but `success`.
    public var on: Set<Event>
    /// A URL that gets each event as one JSON POST (a secret: redacted everywhere).
    public var webhook: String?
    /// A healthchecks.io-style URL pinged at each run's start and end (a secret too).
    public var ping: String?
    /// A program run with each event's JSON on its standard input.
    public var command: [String]?

    /// The events notified when a job does not say: everything worth waking someone for.
    public static let defaultEvents: Set<Event> = [.failure, .outcomeUnknown, .missed, .recovered, .approvalNeeded]

    /// Creates settings; with no target nothing is sent.
    public init(on: Set<Event> = JobNotify.defaultEvents, webhook: String? = nil, ping: String? = nil, command: [String]? = nil) {
        self.on = on
        self.webhook = webhook
        self.ping = ping
        self.command = command
    }

    /// Whether any target is set.
    public var hasTargets: Bool { webhook != nil || ping != nil || command != nil }

    /// The URLs to redact from any text about this job.
    public var secrets: [String] { [webhook, ping].compactMap { $0 } }

    static let keys: Set<String> = ["on", "webhook", "ping", "command"]

    /// Reads the `notify` tables of a job and of `[defaults]`, key by key.
    static func read(_ reader: TOMLReader) throws(ConfigurationError) -> JobNotify {
        let own = try TOMLReader(table: reader.table, context: reader.context, fileName: reader.fileName).table("notify")
        var defaults: TOMLTable?
        if let table = reader.defaults {
            defaults = try TOMLReader(table: table, context: "[defaults]", fileName: reader.fileName).table("notify")
        }
        if let own { try TOMLReader(table: own, context: "\(reader.context) notify", fileName: reader.fileName).rejectUnknown(keys) }
        if let defaults { try TOMLReader(table: defaults, context: "[defaults] notify", fileName: reader.fileName).rejectUnknown(keys) }
        guard let table = own ?? defaults else { return JobNotify() }
        let n = TOMLReader(table: table, defaults: own == nil ? nil : defaults, context: "\(reader.context) notify", fileName: reader.fileName)
        var notify = JobNotify()
        if let names = try n.strings("on") {
            var events: Set<Event> = []
            for name in names {
                guard let event = Event(rawValue: name) else {
                    throw n.fail(
                        "on: '\(name)' is not an event; use \(Event.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                events.insert(event)
            }
            notify.on = events
        }
        notify.webhook = try url("webhook", n)
        notify.ping = try url("ping", n)
        if let command = try n.strings("command") {
            guard let program = command.first, !program.isEmpty else {
                throw n.fail("command: give the program and its arguments, e.g. [\"/usr/local/bin/mail-ops\"]")
            }
            notify.command = command
        }
        return notify
    }

    /// An http(s) URL with a host. The message never repeats the URL: it is a secret.
    private static func url(_ key: String, _ n: TOMLReader) throws(ConfigurationError) -> String? {
        guard let text = try n.string(key) else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw n.fail("\(key): not an http(s) URL with a host (write it as https://host/path; the value is not shown, it is a secret)")
        }
        if key == "ping", components.query != nil {
            throw n.fail("ping: the URL must not have a query (?…): nightshift adds /start, /fail and ?rid= itself")
        }
        return text
    }
}
