import Foundation
import Hummingbird
import LuaHost
import PanelAPI
import PanelEmulator
import Synchronization
import Testing

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

@Suite("notify.send: granted, audited, planned, delivered")
struct NotifyTests {
    /// A notifier whose attempts time out only after five minutes: a give-up, far more than a
    /// delivery takes on a loaded machine (one took more than 5 s beside stress-ng), not a
    /// deadline any test here is about.
    static func notifier(_ targets: NotifyTarget...) -> Notifier {
        Notifier(targets: targets, timeout: .seconds(300), retryDelays: [.milliseconds(50), .milliseconds(50)])
    }

    /// A notifier whose one target, `ops`, posts to `url`.
    static func ops(_ url: String) -> Notifier { notifier(NotifyTarget(name: "ops", delivery: .webhook(url))) }

    /// A notifier whose one target, `mail`, runs `command`.
    static func mail(_ command: String...) -> Notifier { notifier(NotifyTarget(name: "mail", delivery: .command(command))) }

    static func grant(_ names: String...) -> Grant {
        Grant(allowed: Set(names.map { APIFunction(rawValue: $0) }).union(APIFunction.readsOnly))
    }

    /// Runs `body` with a fresh harness and a webhook receiver that answers `status` after
    /// `delay` (and once `hold` opens); the receiver is stopped after.
    static func withReceiver<T>(
        status: HTTPResponse.Status = .ok, delay: Duration = .zero, hold: Latch? = nil,
        _ body: (Harness, WebhookReceiver) async throws -> T
    ) async throws -> T {
        let h = try await Harness.make()
        let receiver = try await WebhookReceiver.start(status: status, delay: delay, hold: hold)
        defer { receiver.stop() }
        return try await body(h, receiver)
    }

    @Test("under --allow notify.ops, the webhook receives the script's table as JSON and the audit log records it done")
    func grantedWebhook() async throws {
        try await Self.withReceiver { h, receiver in
            let result = try await h.run(
                #"print(notify.send("ops", {text = "low credits", reseller = "bob"}))"#, grant: Self.grant("notify.ops"),
                notifier: Self.ops(receiver.url), expecting: .succeeded)
            #expect(result.output == "true\n")
            #expect(receiver.received == [#"{"reseller":"bob","text":"low credits"}"#])
            #expect(result.notificationsSent == 1)
            let entry = try #require(try h.writes(result.runID).first)
            #expect(entry.endpoint == "notify.ops")
            #expect(entry.parameters == #"{"reseller":"bob","text":"low credits"}"#)
            #expect(entry.outcome == AuditOutcome.done)
            #expect(entry.answer == "HTTP 200")
        }
    }

    @Test("a string message is sent as {\"text\": ...}, so Slack-style webhooks take it unchanged")
    func textMessage() async throws {
        try await Self.withReceiver { h, receiver in
            try await h.run(
                #"notify.send("ops", "nightly top-up done")"#, grant: Self.grant("notify.*"), notifier: Self.ops(receiver.url),
                expecting: .succeeded)
            #expect(receiver.received == [#"{"text":"nightly top-up done"}"#])
        }
    }

    @Test("without --allow notify.ops the call is refused, ends the run even inside pcall, and nothing is sent")
    func notGranted() async throws {
        try await Self.withReceiver { h, receiver in
            let result = try await h.run(
                #"pcall(notify.send, "ops", "hello") print("after")"#, grant: Self.grant("notify.other"),
                notifier: Self.ops(receiver.url), expecting: .refused)
            #expect(result.error?.contains("notify.ops is not granted (grant it with --allow notify.ops)") == true, "\(result.error ?? "")")
            #expect(!result.output.contains("after"))
            try await Task.sleep(for: .milliseconds(200))
            #expect(receiver.received.isEmpty)
            let entry = try #require(try h.writes(result.runID).first)
            #expect(entry.endpoint == "notify.ops")
            #expect(entry.outcome == AuditOutcome.refused)
        }
    }

    @Test("in a dry-run the notification is in the plan, audited as planned, and not sent")
    func dryRun() async throws {
        try await Self.withReceiver { h, receiver in
            let result = try await h.run(
                #"notify.send("ops", "would say this")"#, grant: Self.grant("notify.ops"), mode: .dryRun,
                notifier: Self.ops(receiver.url), expecting: .succeeded)
            let planned = try #require(result.plan.first)
            #expect(planned.endpoint == "notify.ops")
            #expect(planned.description.contains(#"{"text":"would say this"}"#), "\(planned)")
            try await Task.sleep(for: .milliseconds(200))
            #expect(receiver.received.isEmpty)
            #expect(try h.writes(result.runID).first?.outcome == AuditOutcome.planned)
        }
    }

    @Test("under notify.*, a target that is not configured raises an invalid request the script can catch")
    func unconfiguredTarget() async throws {
        let result = try await Harness.make().run(
            #"local ok, err = pcall(notify.send, "nowhere", "x") print(ok, err.kind)"#, grant: Self.grant("notify.*"),
            notifier: Self.notifier(NotifyTarget(name: "ops", delivery: .command(["/bin/true"]))), expecting: .succeeded)
        #expect(result.output == "false\tinvalid request\n")
    }

    @Test("in confirm mode a notification answered no is declined, audited, and not sent")
    func confirmDeclined() async throws {
        try await Self.withReceiver { h, receiver in
            let confirmer = ScriptedConfirmer([false])
            let result = try await h.run(
                #"local ok, err = pcall(notify.send, "ops", "may I?") print(err.kind)"#, grant: Self.grant("notify.ops"),
                mode: .confirm, confirmer: confirmer, notifier: Self.ops(receiver.url))
            #expect(result.output == "declined\n")
            #expect(confirmer.asked.first?.contains(#"{"text":"may I?"}"#) == true, "\(confirmer.asked)")
            #expect(receiver.received.isEmpty)
            #expect(try h.writes(result.runID).first?.outcome == AuditOutcome.declined)
        }
    }

    @Test("a command target gets the JSON on its standard input")
    func commandTarget() async throws {
        let h = try await Harness.make()
        let file = h.folder + "/received.json"
        let result = try await h.run(
            #"notify.send("mail", {text = "hi"})"#, grant: Self.grant("notify.mail"),
            notifier: Self.mail("/bin/sh", "-c", "cat > '\(file)'"), expecting: .succeeded)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == #"{"text":"hi"}"#)
        let entry = try #require(try h.writes(result.runID).first)
        #expect(entry.outcome == AuditOutcome.done)
        #expect(entry.answer == "/bin/sh exited with status 0")
    }

    @Test("a command that exits non-zero is an error the script can catch")
    func commandFails() async throws {
        let h = try await Harness.make()
        let result = try await h.run(
            #"local ok, err = pcall(notify.send, "mail", "x") print(ok, err.kind)"#, grant: Self.grant("notify.mail"),
            notifier: Self.mail("/bin/sh", "-c", "exit 3"), expecting: .succeeded)
        #expect(result.output == "false\tnotify failed\n")
        #expect(try h.writes(result.runID).first?.outcome == AuditOutcome.failed)
    }

    @Test("a refused connection is retried a bounded number of times, then reported as not received")
    func refusedRetried() async throws {
        let h = try await Harness.make()
        let result = try await h.run(
            #"local ok, err = pcall(notify.send, "ops", "x") print(ok, err.kind)"#, grant: Self.grant("notify.ops"),
            notifier: Self.ops("http://127.0.0.1:\(try PanelEmulator.closedPort())/hook/secret"), expecting: .succeeded)
        #expect(result.output == "false\tnotify failed\n")
        let entry = try #require(try h.writes(result.runID).first)
        #expect(entry.outcome == AuditOutcome.failed)
        #expect(entry.answer?.contains("(3 attempts); nothing was received") == true, "\(entry.answer ?? "")")
    }

    @Test("a webhook that takes the message and answers too late is not sent again: outcome unknown ends the run")
    func timeoutNotRetried() async throws {
        // The receiver answers only after the test: the 500 ms timeout always comes first.
        let hold = Latch()
        defer { hold.open() }
        try await Self.withReceiver(hold: hold) { h, receiver in
            let notifier = Notifier(
                targets: [NotifyTarget(name: "ops", delivery: .webhook(receiver.url))], timeout: .milliseconds(500),
                retryDelays: [.milliseconds(10), .milliseconds(10)])
            let result = try await h.run(
                #"pcall(notify.send, "ops", "once") print("after")"#, grant: Self.grant("notify.ops"), notifier: notifier,
                expecting: .outcomeUnknown)
            #expect(!result.output.contains("after"))
            #expect(receiver.received == [#"{"text":"once"}"#])
            let entry = try #require(try h.writes(result.runID).first)
            #expect(entry.outcome == AuditOutcome.unknown)
            #expect(entry.answer?.contains("may or may not have received the message") == true, "\(entry.answer ?? "")")
        }
    }

    @Test("the webhook URL appears in no output, error, plan or audit record, even when the receiver fails")
    func urlNeverShown() async throws {
        try await Self.withReceiver(status: .internalServerError) { h, receiver in
            let output = Mutex<String>("")
            let result = try await h.run(
                """
                local ok, err = pcall(notify.send, "ops", "first")
                print(ok, err)
                notify.send("ops", "second")
                """, grant: Self.grant("notify.ops"),
                output: OutputSink { line in output.withLock { $0 += String(decoding: line.bytes, as: UTF8.self) } },
                notifier: Self.ops(receiver.url), expecting: .failed)
            #expect(receiver.received.count == 2)
            let everything =
                output.withLock { $0 } + result.output + (result.error ?? "")
                + (try h.writes(result.runID)).map { "\($0.target) \($0.parameters) \($0.answer ?? "")" }.joined()
                + (try h.audit.runs()).map { "\($0.output) \($0.error ?? "")" }.joined()
            #expect(everything.contains("HTTP 500"))
            #expect(!everything.contains("s3cr3t-t0ken"))
            #expect(!everything.contains(receiver.url))
        }
    }

    @Test("a webhook send from a task does not hold the other tasks while the receiver is slow")
    func taskDoesNotBlock() async throws {
        // The receiver answers neither message until both are there: the first is answered
        // only once another task has ticked and sent its own while the first one waited.
        try await Self.withReceiver(hold: Latch(opensAt: 2)) { h, receiver in
            let notifier = Notifier(
                targets: [NotifyTarget(name: "ops", delivery: .webhook(receiver.url))], timeout: .seconds(300),
                retryDelays: [])
            let result = try await h.run(
                """
                local done, ticks = false, 0
                local sender = tasks.spawn(function() notify.send("ops", "slow") done = true end)
                local ticker = tasks.spawn(function()
                  while ticks < 3 do ticks = ticks + 1 tasks.sleep(0.01) end
                  notify.send("ops", "ticked " .. ticks .. " times, sender done: " .. tostring(done))
                end)
                sender:wait() ticker:wait()
                print(ticks, done)
                """, grant: Self.grant("notify.ops"), notifier: notifier, expecting: .succeeded)
            #expect(result.output == "3\ttrue\n")
            // In either order: both were on their way at once.
            #expect(receiver.received.sorted() == [#"{"text":"slow"}"#, #"{"text":"ticked 3 times, sender done: false"}"#])
        }
    }

    @Test("--allow notify.NAME parses only for configured targets; notify.* and declarations take any name; all grants none")
    func grantParsing() {
        let catalogue = APICatalogue.standard
        #expect(catalogue.parse("notify.ops", targets: ["ops"]) == [APIFunction(rawValue: "notify.ops")])
        #expect(catalogue.parse("notify.nope", targets: ["ops"]) == nil)
        #expect(catalogue.parse("notify.*", targets: []) == [APIFunction(rawValue: "notify.*")])
        #expect(catalogue.parse("notify.ops") == [APIFunction(rawValue: "notify.ops")])
        #expect(catalogue.parse("all")?.contains { $0.group == "notify" } == false)
        #expect(Grant(allowed: [APIFunction(rawValue: "notify.*")]).allows(APIFunction(rawValue: "notify.ops")))
    }
}
