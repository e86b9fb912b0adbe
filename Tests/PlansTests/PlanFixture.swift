import Foundation
import Logging
import LuaHost
import NightshiftConfig
import NightshiftCore
import Operations
import OperationsFull
import PanelAPI
import PanelEmulator
import Plans
import RunRecords
import ScriptAPI
import ScriptRuntime
import Synchronization
import TestScratch
import Testing

/// Hands requests to the emulator and counts the writes that reached it.
final class CountingTransport: PanelTransport {
    private let inner: InProcessTransport
    private let writes = Mutex<[String]>([])

    init(_ inner: InProcessTransport) { self.inner = inner }

    func send(_ request: TransportRequest) async throws(TransportFailure) -> TransportResponse {
        if !request.path.hasSuffix("/list") { writes.withLock { $0.append(request.path) } }
        return try await inner.send(request)
    }

    /// Paths of the writes sent, in order.
    var writesSent: [String] { writes.withLock { $0 } }
}

let planKey = "sk-PLAN-4d4d4d-secret"

/// A panel (the emulator, in-process) with known resellers, an audit log, approvers' keys,
/// and the way to make plans from scripts and apply them.
struct PlanFixture {
    let store: ResellerStore
    let transport: CountingTransport
    let client: PanelClient
    let audit: AuditLog
    let folder: String
    let approvals: ApprovalSettings
    /// Key files, by approver name (bob, carol).
    let keys: [String: String]

    static let url = "http://127.0.0.1:8000/"

    /// Resellers (name, credits) get ids 1, 2, ... in order.
    static func make(
        resellers: [(String, Int)] = [("alpha", 900), ("deltamedia6", 418), ("zenhub7", 412), ("ultralive3", 620)],
        required: Int = 1, selfApproval: Bool = false
    ) async throws -> PlanFixture {
        let folder = try Scratch.folder("plans")
        let store = try ResellerStore(path: folder + "/panel.sqlite")
        for (name, credits) in resellers {
            _ = try await store.create(username: name, credits: credits, maxAllowedConnections: 2, useCredits: true)
        }
        let emulator = PanelEmulator(settings: EmulatorSettings(apiKey: planKey), store: store, logger: Logger(label: "test"))
        let transport = CountingTransport(InProcessTransport(emulator: emulator))
        let configuration = PanelConfiguration(
            baseURL: try PanelURL(url), apiKey: APIKey(planKey), timeout: .seconds(5), retry: PanelRetryPolicy(maxAttempts: 1))
        let client = PanelClient(configuration: configuration, transport: transport, logger: Logger(label: "test"))
        var keys: [String: String] = [:]
        var approvers: [ApprovalSettings.Approver] = []
        for name in ["bob", "carol", "alice"] {
            let (path, publicKey) = try PlanKeys.make(name: name, folder: folder)
            keys[name] = path
            if name != "carol" { approvers.append(.init(name: name, publicKey: Array(Data(base64Encoded: publicKey)!))) }
        }
        return PlanFixture(
            store: store, transport: transport, client: client, audit: try AuditLog(path: folder + "/audit.sqlite"),
            folder: folder, approvals: ApprovalSettings(approvers: approvers, required: required, selfApproval: selfApproval),
            keys: keys)
    }

    /// The top-up: 250 credits to every reseller under 500.
    static let topup = """
        local low = {}
        for _, r in ipairs(resellers.list()) do
          if r.credits < 500 then low[#low + 1] = r end
        end
        for _, r in ipairs(low) do resellers.add_credits(r.id, 250) end
        """

    static let grant = Grant(allowed: [.resellersList, .resellersAddCredits, .resellersNew, .resellersUpdate], maxCredits: 2000)

    /// A plan of `source` run as a dry-run against the panel, made by `author`.
    func plan(
        _ source: String = PlanFixture.topup, binding: Plan.Binding = .writes, author: String = "alice",
        grant: Grant = PlanFixture.grant, now: Date = Date(), lifetime: TimeInterval = Plan.defaultLifetime
    ) async throws -> Plan {
        let run = ScriptRun(scriptPath: "topup.lua", source: Array(source.utf8), grant: grant, mode: .dryRun, limits: LuaLimits(time: .seconds(20)))
        let runner = try ScriptRunner(run: run, client: client, audit: audit, output: OutputSink { _ in }, logger: Logger(label: "test"))
        let result = await ScriptThread.run { runner.execute() }
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        return try Plan(
            writes: result.plannedWrites, reads: result.readAnswers,
            context: Plan.Context(
                panel: Plan.Panel(url: Self.url, keyFingerprint: Plan.fingerprint(of: planKey)),
                script: Plan.Content(path: "topup.lua", sha256: ContentHash.sha256(Array(source.utf8))), modules: [],
                arguments: [], grant: grant, binding: binding, author: author, now: now, lifetime: lifetime))
    }

    /// A plan written to a file and kept in this audit log, as `nightshift plan` does.
    func kept() async throws -> Plan {
        let plan = try await plan()
        let path = folder + "/\(plan.id).json"
        try plan.write(to: path, replacing: false)
        try PlanKeeping.keep(plan, path: path, waitUntil: nil, job: nil, slot: nil, audit: audit)
        return plan
    }

    /// `plan` approved by `approvers`.
    func approved(_ plan: Plan, by approvers: [String] = ["bob"]) throws -> Plan {
        var plan = plan
        for name in approvers {
            try plan.approve(with: try PlanKeys.load(keys[name]!), settings: approvals, at: Plan.iso(Date()))
        }
        return plan
    }

    /// An apply of `plan` against this panel (or `client`), recorded in this audit log.
    func applier(
        _ plan: Plan, client: PanelClient? = nil, url: String = PlanFixture.url, audit: AuditLog? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> PlanApply {
        PlanApply(
            plan: plan, path: folder + "/plan.json", client: client ?? self.client, panelURL: url, audit: audit ?? self.audit,
            shared: nil, approvals: approvals, actor: "operator", host: "host-a", now: now)
    }

    /// Checks and applies; the refusal if one comes.
    func apply(_ plan: Plan, client: PanelClient? = nil, url: String = PlanFixture.url) async throws(PlanRefusal) -> PlanApply.Outcome {
        let apply = applier(plan, client: client, url: url)
        try await apply.check()
        return try await apply.send()
    }

    func credits(_ name: String) async throws -> Int? { try await store.find(.username(name))?.credits }
}
