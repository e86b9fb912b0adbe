import Foundation
import NightshiftConfig
import Operations
import PanelAPI
import Testing
import TestScratch

@testable import Plans

/// A step into a JSON document: a member name or a list index.
enum Step: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case key(String)
    case index(Int)
    init(stringLiteral value: String) { self = .key(value) }
    init(integerLiteral value: Int) { self = .index(value) }
}

extension JSONValue {
    /// The value at `path`, changed by `change`.
    func editing(_ path: [Step], _ change: (inout JSONValue) -> Void) -> JSONValue {
        guard let first = path.first else {
            var copy = self
            change(&copy)
            return copy
        }
        switch (self, first) {
        case (.object(var object), .key(let key)):
            object[key] = (object[key] ?? .null).editing(Array(path.dropFirst()), change)
            return .object(object)
        case (.array(var items), .index(let index)):
            items[index] = items[index].editing(Array(path.dropFirst()), change)
            return .array(items)
        default:
            return self
        }
    }
}

/// Plans someone changed, forged, replayed or pointed elsewhere: each is refused with its
/// exact words, and nothing is sent.
@Suite("hostile plans: each refused exactly, nothing sent")
struct HostilePlanTests {
    /// Writes `plan` with `edit` applied to its document, then loads and checks it as apply
    /// does; the refusal it ends with.
    func refusal(
        _ f: PlanFixture, _ plan: Plan, url: String = PlanFixture.url, client: PanelClient? = nil, now: Date = Date(),
        edit: (JSONValue) -> JSONValue = { $0 }
    ) async throws -> PlanRefusal? {
        let path = f.folder + "/hostile-\(UUID().uuidString).plan"
        try (PlanJSON.pretty(edit(plan.document)) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        do {
            let loaded = try Plan.load(path)
            try await f.applier(loaded, client: client, url: url, now: { now }).check()
            return nil
        } catch {
            return error
        }
    }

    func expectNothingSent(_ f: PlanFixture, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(f.transport.writesSent.isEmpty, sourceLocation: sourceLocation)
        #expect(try await f.credits("deltamedia6") == 418, sourceLocation: sourceLocation)
    }

    static let changed = "the plan was changed after it was made: it says its digest is"

    @Test("an amount edited: the content no longer matches the digest")
    func amountEdited() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        let refusal = try await refusal(f, plan) { $0.editing(["writes", 0, "form", 1, 1]) { $0 = .int(2500) } }
        #expect(refusal?.check == .digest)
        #expect(refusal?.description.hasPrefix(Self.changed) == true)
        try await expectNothingSent(f)
    }

    @Test("a write added, with the totals made to agree: refused by the digest")
    func writeAdded() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        let refusal = try await refusal(f, plan) { document in
            document.editing(["writes"]) { if case .array(let items) = $0 { $0 = .array(items + [items[0]]) } }
                .editing(["totals", "writes"]) { $0 = .int(3) }.editing(["totals", "credits_moved"]) { $0 = .int(750) }
                .editing(["totals", "net_credit_change"]) { $0 = .int(750) }
        }
        #expect(refusal?.check == .digest)
        try await expectNothingSent(f)
    }

    @Test("a write removed, with the totals made to agree: refused by the digest")
    func writeRemoved() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        let refusal = try await refusal(f, plan) { document in
            document.editing(["writes"]) { if case .array(let items) = $0 { $0 = .array([items[1]]) } }
                .editing(["totals", "writes"]) { $0 = .int(1) }.editing(["totals", "credits_moved"]) { $0 = .int(250) }
                .editing(["totals", "net_credit_change"]) { $0 = .int(250) }
        }
        #expect(refusal?.check == .digest)
        try await expectNothingSent(f)
    }

    @Test("two writes reordered: refused by the digest")
    func writesReordered() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        let refusal = try await refusal(f, plan) { document in
            document.editing(["writes"]) { if case .array(let items) = $0 { $0 = .array(items.reversed()) } }
        }
        #expect(refusal?.check == .digest)
        try await expectNothingSent(f)
    }

    @Test("the target changed: refused by the digest")
    func targetChanged() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        let refusal = try await refusal(f, plan) { $0.editing(["writes", 0, "form", 0, 1]) { $0 = .int(4) } }
        #expect(refusal?.check == .digest)
        try await expectNothingSent(f)
    }

    @Test("the expiry extended: refused by the digest")
    func expiryExtended() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        let refusal = try await refusal(f, plan) { $0.editing(["expires_at"]) { $0 = "2099-01-01T00:00:00.000Z" } }
        #expect(refusal?.check == .digest)
        try await expectNothingSent(f)
    }

    @Test("content and digest both rewritten: the approvals no longer verify")
    func digestRewritten() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        var forged = plan
        forged.writes[0].form = FormMap([("id", .int(2)), ("credits", .int(2500))])
        forged.writes[0].creditChange = 2500
        forged.digest = forged.computedDigest
        // Totals follow the changed write, as the forger would make them.
        let refusal = try await refusal(f, forged)
        #expect(
            refusal
                == PlanRefusal(
                    .approvals,
                    "the plan needs 1 approval and has 0; bob's signature does not verify for this plan (it was made for another plan, or the plan was changed after it was signed); nothing was sent. An approver runs: nightshift approve PLAN --key THEIR.key"))
        try await expectNothingSent(f)
    }

    @Test("a signature copied from another plan does not count")
    func signatureCopied() async throws {
        let f = try await PlanFixture.make()
        let other = try f.approved(try await f.plan())
        var plan = try await f.plan()
        plan.approvals = other.approvals
        let refusal = try await refusal(f, plan)
        #expect(refusal?.check == .approvals)
        #expect(refusal?.description.contains("bob's signature does not verify for this plan") == true)
        try await expectNothingSent(f)
    }

    @Test("a signature of random bytes does not count")
    func signatureForged() async throws {
        let f = try await PlanFixture.make()
        var plan = try await f.plan()
        plan.approvals = [Plan.Approval(approver: "bob", at: Plan.iso(Date()), signature: Data(repeating: 7, count: 64).base64EncodedString())]
        #expect(try await refusal(f, plan)?.description.contains("bob's signature does not verify for this plan") == true)
        try await expectNothingSent(f)
    }

    @Test("the author cannot approve their own plan: approve refuses, and apply does not count a self-approval")
    func selfApproval() async throws {
        let f = try await PlanFixture.make()
        var plan = try await f.plan(author: "bob")
        #expect(throws: PlanRefusal(.approvals, "bob made this plan, and self-approval is off ([approvals] self_approval)")) {
            try plan.approve(with: try PlanKeys.load(f.keys["bob"]!), settings: f.approvals, at: Plan.iso(Date()))
        }
        // A signature made where self-approval was on does not count here.
        var lenient = f.approvals
        lenient.selfApproval = true
        try plan.approve(with: try PlanKeys.load(f.keys["bob"]!), settings: lenient, at: Plan.iso(Date()))
        #expect(
            try await refusal(f, plan)
                == PlanRefusal(
                    .approvals,
                    "the plan needs 1 approval and has 0; bob made this plan and self-approval is off ([approvals] self_approval); nothing was sent. An approver runs: nightshift approve PLAN --key THEIR.key"))
        try await expectNothingSent(f)
    }

    @Test("an approver not in nightshift.toml: approve refuses the key, and apply does not count the approval")
    func unknownApprover() async throws {
        let f = try await PlanFixture.make()
        var plan = try await f.plan()
        let carol = try PlanKeys.load(f.keys["carol"]!)
        #expect(throws: PlanRefusal.self) { try plan.approve(with: carol, settings: f.approvals, at: Plan.iso(Date())) }
        let signature = try carol.signature(for: plan.signedMessage).base64EncodedString()
        plan.approvals = [Plan.Approval(approver: "carol", at: Plan.iso(Date()), signature: signature)]
        #expect(
            try await refusal(f, plan)
                == PlanRefusal(
                    .approvals,
                    "the plan needs 1 approval and has 0; carol is not an approver in nightshift.toml ([approvals]); nothing was sent. An approver runs: nightshift approve PLAN --key THEIR.key"))
        try await expectNothingSent(f)
    }

    @Test("replayed after a full apply: refused as used")
    func replayAfterApply() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        let outcome = try await f.apply(plan)
        #expect(outcome.state == "applied" && outcome.writesSent == 2)
        let sent = f.transport.writesSent.count
        let refusal = try await refusal(f, plan)
        #expect(refusal?.check == .used)
        #expect(refusal?.description.hasPrefix("the plan \(plan.id) was applied at ") == true)
        #expect(refusal?.description.hasSuffix("a plan is used once: make a new one; nothing was sent") == true)
        #expect(f.transport.writesSent.count == sent)
    }

    @Test("replayed after a partial apply: refused, naming how far it got")
    func replayAfterPartial() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        // Between the check and the send, zenhub7 disappears: its write is refused by the panel.
        let apply = f.applier(plan)
        try await apply.check()
        try await f.store.delete(.username("zenhub7"))
        let outcome = try await apply.send()
        #expect(outcome.state == "partial")
        let sent = f.transport.writesSent.count
        let refusal = try await refusal(f, plan)
        #expect(refusal?.check == .used)
        #expect(refusal?.description.contains("was partly applied at ") == true)
        #expect(refusal?.description.contains("it can never be applied again") == true)
        #expect(f.transport.writesSent.count == sent)
    }

    @Test("replayed after a rejection: refused with who rejected it and why")
    func replayAfterRejection() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        #expect(try f.audit.claimPlan(plan.id, digest: plan.digest, state: "rejected", actor: "bob", host: nil, at: "2026-12-07T10:00:00.000Z", runID: nil, detail: "too much"))
        #expect(
            try await refusal(f, plan)
                == PlanRefusal(.used, "the plan \(plan.id) was rejected by bob at 2026-12-07T10:00:00.000Z: too much; nothing was sent"))
        try await expectNothingSent(f)
    }

    @Test("drift in credits: refused, naming the reseller, the balance planned and the balance now")
    func creditsDrift() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        try await f.store.update(.username("deltamedia6")) { $0.credits = 600 }
        #expect(
            try await refusal(f, plan)
                == PlanRefusal(
                    .preconditions,
                    "the panel changed since the plan was made, so its writes would not have the reviewed outcome; nothing was sent:\n  deltamedia6 (id 2): credits were 418 when planned, now 600\nMake a new plan and have it reviewed"))
        #expect(f.transport.writesSent.isEmpty)
    }

    @Test("a reseller deleted: refused, naming it")
    func resellerDeleted() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        try await f.store.delete(.username("zenhub7"))
        #expect(try await refusal(f, plan)?.description.contains("  zenhub7 (id 3): no longer exists in the panel\n") == true)
        try await expectNothingSent(f)
    }

    @Test("a reseller renamed when the plan targets it by username: refused, naming the username")
    func resellerRenamed() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan("resellers.add_credits('zenhub7', 100)"))
        try await f.store.update(.username("zenhub7")) { $0.username = "zenhub8" }
        #expect(
            try await refusal(f, plan)?.description.contains("  username \"zenhub7\": no reseller has this username now (renamed or deleted)\n")
                == true)
        try await expectNothingSent(f)
    }

    @Test("another panel: refused, naming both URLs")
    func anotherPanel() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        #expect(
            try await refusal(f, plan, url: "http://10.0.0.9:8000/")
                == PlanRefusal(.panel, "the plan was made for the panel \(PlanFixture.url), not http://10.0.0.9:8000/; nothing was sent"))
        try await expectNothingSent(f)
    }

    @Test("another key: refused by the fingerprint, and neither key is shown")
    func anotherKey() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan())
        var configuration = f.client.configuration
        configuration.apiKey = APIKey("sk-OTHER-key-9999")
        let other = PanelClient(configuration: configuration, transport: f.transport, logger: .init(label: "test"))
        let refusal = try await refusal(f, plan, client: other)
        #expect(refusal?.check == .panel)
        #expect(refusal?.description.hasPrefix("the plan was made with another API key (fingerprint sha256:") == true)
        #expect(refusal?.description.contains(planKey) == false && refusal?.description.contains("sk-OTHER") == false)
        try await expectNothingSent(f)
    }

    @Test("expired: refused with the expiry and the way on")
    func expired() async throws {
        let f = try await PlanFixture.make()
        let plan = try f.approved(try await f.plan(lifetime: 60))
        let later = Date().addingTimeInterval(120)
        #expect(
            try await refusal(f, plan, now: later)
                == PlanRefusal(.expiry, "the plan expired at \(plan.expiresAt) (made at \(plan.createdAt)); nothing was sent. Make it again"))
        try await expectNothingSent(f)
    }

    @Test("missing approvals: refused, saying how many are needed and how to give one")
    func notApproved() async throws {
        let f = try await PlanFixture.make(required: 2)
        let plan = try f.approved(try await f.plan(), by: ["bob"])
        #expect(
            try await refusal(f, plan)
                == PlanRefusal(
                    .approvals,
                    "the plan needs 2 approvals and has 1 (bob); nothing was sent. An approver runs: nightshift approve PLAN --key THEIR.key"))
        try await expectNothingSent(f)
    }

    func fileRefusal(_ bytes: [UInt8]) throws -> PlanRefusal? {
        let path = Scratch.path("bad.plan")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try Plan.load(path)
            return nil
        } catch {
            return error
        }
    }

    @Test("a truncated file is not a plan")
    func truncated() async throws {
        let f = try await PlanFixture.make()
        let text = Array(try await f.plan().fileText.utf8)
        let refusal = try fileRefusal(Array(text.prefix(text.count / 2)))
        #expect(refusal?.check == .format)
        #expect(refusal?.description.contains("it is not valid JSON") == true)
    }

    @Test("a 100 MiB file is refused before it is read")
    func huge() throws {
        let path = Scratch.path("huge.plan")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 100 << 20)
        try handle.close()
        #expect(throws: PlanRefusal(.format, "cannot read the plan file \(path): it is larger than 32 MiB")) { try Plan.load(path) }
    }

    @Test("an unknown schema version is refused, saying what to do")
    func unknownSchema() async throws {
        let f = try await PlanFixture.make()
        let document = try await f.plan().document.editing(["schema"]) { $0 = .int(2) }
        let refusal = try fileRefusal(Array(PlanJSON.pretty(document).utf8))
        #expect(refusal?.description.hasSuffix("the plan file's schema version is 2; this nightshift reads version 1: make the plan again with this version") == true)
    }

    @Test("a member named twice is refused, not read as its last value")
    func duplicateKeys() async throws {
        let f = try await PlanFixture.make()
        var text = try await f.plan().fileText
        text = text.replacingOccurrences(of: "\"author\": \"alice\",", with: "\"author\": \"alice\",\n  \"author\": \"mallory\",")
        let refusal = try fileRefusal(Array(text.utf8))
        #expect(refusal?.check == .format)
        #expect(refusal?.description.contains("duplicate member 'author'") == true)
    }

    @Test("a field this version does not know is refused")
    func unknownField() async throws {
        let f = try await PlanFixture.make()
        let document = try await f.plan().document.editing(["writes", 0]) { if case .object(var o) = $0 { o["priority"] = "high"; $0 = .object(o) } }
        #expect(try fileRefusal(Array(PlanJSON.pretty(document).utf8))?.description.hasSuffix("plan.writes[0] has a field this version does not know: 'priority'") == true)
    }
}
