import Foundation
import LuaHost
import Logging
import NightshiftCore
import PanelAPI
import Testing
import TestHTTP
import TestScratch

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

/// A panel's HTTP endpoints stood in for by a receiver that records every request and
/// answers `{"result":true,...}`; runs against it over real HTTP, with an audit log.
struct PanelReceiver {
    let receiver: HTTPReceiver
    let client: PanelClient
    let transport: HTTPTransport
    let audit: AuditLog

    static let key = "sk-DECLARED-5e5e5e-secret"

    static func start() async throws -> PanelReceiver {
        let receiver = try await HTTPReceiver.start(body: { request in
            request.uri.hasSuffix("/list") ? #"[{"id":1,"expires":"2027-01-01"}]"# : #"{"result":true}"#
        })
        let configuration = PanelConfiguration(
            baseURL: try PanelURL("http://127.0.0.1:\(receiver.port)/"), apiKey: APIKey(key), timeout: .seconds(5),
            retry: PanelRetryPolicy(maxAttempts: 1))
        let (client, transport) = PanelClient.http(configuration: configuration, logger: Logger(label: "test.http"))
        let audit = try AuditLog(path: try Scratch.folder("declared") + "/audit.sqlite")
        return PanelReceiver(receiver: receiver, client: client, transport: transport, audit: audit)
    }

    func stop() async {
        try? await transport.shutdown()
        receiver.stop()
    }

    /// The paths requested, in order.
    var paths: [String] { receiver.received.map(\.uri) }

    func run(
        _ source: String, catalogue: APICatalogue, grant: Grant, mode: RunMode = .live, expecting status: RunStatus,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RunResult {
        let run = ScriptRun(
            scriptPath: "test.lua", source: Array(source.utf8), grant: grant, mode: mode,
            limits: LuaLimits(time: .seconds(20)), catalogue: catalogue)
        let runner = try ScriptRunner(run: run, client: client, audit: audit, output: OutputSink { _ in }, logger: Logger(label: "test"))
        let result = await ScriptThread.run { runner.execute() }
        #expect(result.status == status, "\(result.error ?? "")", sourceLocation: sourceLocation)
        return result
    }
}

/// nightshift.toml declaring two endpoints: a read, and a write that spends credits.
let declaredTOML = """
    [[endpoints]]
    name = "lines.list"
    path = "api/line/list"
    kind = "read"
    doc = "Every line."

    [[endpoints]]
    name = "lines.extend"
    path = "api/line/edit"
    kind = "write"
    target = "id"
    credits = { param = "credits", sign = -1 }
    required = ["id", "credits"]
    doc = "Extend a line's expiry"
    """

@Suite("endpoints declared in nightshift.toml")
struct DeclaredEndpointTests {
    let catalogue = try! NightshiftConfiguration.parse(declaredTOML, fileName: "nightshift.toml", home: "/home/x").catalogue

    func grant(_ names: String..., maxCredits: Int = 0) -> Grant {
        Grant(allowed: Set(names.flatMap { catalogue.parse($0)! }), maxCredits: maxCredits)
    }

    @Test("a declared write is sent with its form, audited with its endpoint and target, and returns the panel's answer")
    func liveWrite() async throws {
        let panel = try await PanelReceiver.start()
        let result = try await panel.run(
            """
            local answer = lines.extend{id = 42, credits = 3}
            assert(answer.result == true)
            """, catalogue: catalogue, grant: grant("lines.extend", maxCredits: 10), expecting: .succeeded)
        await panel.stop()
        #expect(panel.paths == ["/api/line/edit"])
        #expect(panel.receiver.received.first?.body == "api_key=\(PanelReceiver.key)&credits=3&id=42")
        let row = try #require(try panel.audit.writes(runID: result.runID).first)
        #expect(row.endpoint == "lines.extend")
        #expect(row.parameters == "line.edit credits=3&id=42")
        #expect(row.target == "id 42")
        #expect(row.creditChange == -3)
        #expect(row.outcome == AuditOutcome.done)
        #expect(!row.parameters.contains(PanelReceiver.key))
        #expect(result.creditsMoved == 3)
    }

    @Test("in dry-run a declared read is sent, a declared write is planned and sends nothing")
    func dryRun() async throws {
        let panel = try await PanelReceiver.start()
        let result = try await panel.run(
            """
            local rows = lines.list()
            assert(rows[1].id == 1)
            assert(lines.extend{id = rows[1].id, credits = 2}.result == true)
            """, catalogue: catalogue, grant: grant("lines.*", maxCredits: 10), mode: .dryRun, expecting: .succeeded)
        await panel.stop()
        #expect(panel.paths == ["/api/line/list"])
        #expect(result.plan.map(\.description) == ["lines.extend  id 1  credits -2  [test.lua:3]"])
        #expect(try panel.audit.writes(runID: result.runID).map(\.outcome) == [AuditOutcome.planned])
    }

    @Test("an ungranted declared endpoint is refused and nothing is sent; an undeclared one does not exist")
    func grants() async throws {
        let panel = try await PanelReceiver.start()
        let refused = try await panel.run(
            "lines.extend{id = 1, credits = 1}", catalogue: catalogue, grant: grant("lines.list", maxCredits: 10),
            expecting: .refused)
        #expect(refused.error == "lines.extend: not granted: lines.extend is not granted (grant it with --allow lines.extend); nothing was sent")
        #expect(try panel.audit.writes(runID: refused.runID).map(\.outcome) == [AuditOutcome.refused])
        let unread = try await panel.run(
            "lines.list()", catalogue: catalogue, grant: Grant(allowed: [], maxCredits: 0), expecting: .refused)
        #expect(unread.error == "lines.list: not granted: lines.list is not granted (grant it with --allow lines.list)")
        let undeclared = try await panel.run(
            "lines.remove{id = 1}", catalogue: catalogue, grant: grant("lines.*"), expecting: .failed)
        #expect(undeclared.error?.contains("attempt to call a nil value (field 'remove')") == true)
        #expect(catalogue.parse("lines.remove") == nil)
        await panel.stop()
        #expect(panel.paths.isEmpty)
    }

    @Test("the credit cap stops a declared credit-moving write exactly at the cap")
    func cap() async throws {
        let panel = try await PanelReceiver.start()
        let result = try await panel.run(
            "for i = 1, 5 do lines.extend{id = i, credits = 4} end", catalogue: catalogue,
            grant: grant("lines.extend", maxCredits: 10), expecting: .refused)
        await panel.stop()
        #expect(panel.paths.count == 2)
        #expect(result.creditsMoved == 8)
        #expect(result.errorKind == "credit cap")
        #expect(try panel.audit.writes(runID: result.runID).map(\.outcome) == [AuditOutcome.done, AuditOutcome.done, AuditOutcome.refused])
    }

    @Test("a declared call without a required parameter is an argument error at the script's line; nothing is sent")
    func required() async throws {
        let panel = try await PanelReceiver.start()
        let result = try await panel.run(
            "lines.extend{id = 1}", catalogue: catalogue, grant: grant("lines.extend", maxCredits: 10), expecting: .failed)
        await panel.stop()
        #expect(result.error == "test.lua:1: bad argument #1 to 'lines.extend' (field 'credits' is required (lines.extend declares it in nightshift.toml))")
        #expect(panel.paths.isEmpty)
    }

    @Test("panel.call needs its own grant and refuses a declared endpoint, naming its function")
    func panelCall() async throws {
        let panel = try await PanelReceiver.start()
        let declared = try await panel.run(
            "panel.call('line', 'edit', {id = 1, credits = 1})", catalogue: catalogue, grant: grant("panel.call"),
            expecting: .failed)
        #expect(declared.error == "test.lua:1: bad argument #1 to 'panel.call' (api/line/edit is declared as lines.extend; call lines.extend, so its grant, caps and audit apply)")
        let ungranted = try await panel.run(
            "panel.call('line', 'delete', {id = 1})", catalogue: catalogue, grant: grant("lines.*"), expecting: .refused)
        #expect(ungranted.errorKind == "not granted")
        let sent = try await panel.run(
            "panel.call('line', 'delete', {id = 1})", catalogue: catalogue, grant: grant("panel.call"), expecting: .succeeded)
        #expect(try panel.audit.writes(runID: sent.runID).map(\.endpoint) == ["line.delete"])
        await panel.stop()
        #expect(panel.paths == ["/api/line/delete"])
    }

    @Test("check sees a declared endpoint's use and the grant it needs; types define it")
    func checkAndTypes() throws {
        let report = ProgramCheck(
            script: "x.lua", source: Array("lines.extend{id = 1, credits = 2}\n".utf8), grant: nil, modules: ModuleSearch(folders: []),
            catalogue: catalogue)
        #expect(report.lines.contains { $0.contains("lines.extend") })
        let types = LuaTypeDefinitions.text(for: catalogue)
        #expect(types.contains("---Extend a line's expiry\n---@param params nightshift.params.lines_extend\n---@return table\nfunction lines.extend(params) end"))
        #expect(types.contains("---@field id any required\n---@field credits any required"))
        #expect(catalogue.allowable.contains("lines.extend") && catalogue.allowable.contains("lines.*"))
    }

    @Test("a real HTTP group written in Swift, added to the catalogue, reads and writes through the same paths")
    func usersGroup() async throws {
        let panel = try await PanelReceiver.start()
        let catalogue = APICatalogue.standard.adding(UsersGroup.group)
        let grant = Grant(allowed: Set(catalogue.parse("users.*")!), maxCredits: 5)
        let result = try await panel.run(
            """
            assert(users.list()[1].id == 1)
            users.extend(7, 3)
            users.extend(8, 3)
            """, catalogue: catalogue, grant: grant, expecting: .refused)
        await panel.stop()
        #expect(panel.paths == ["/api/user/list", "/api/user/extend"])
        #expect(result.errorKind == "credit cap")
        #expect(try panel.audit.writes(runID: result.runID).map(\.target) == ["user 7", "user 8"])
    }
}

/// One declaration that can be used, to put a bad one after.
let goodDeclaration = """
    [[endpoints]]
    name = "lines.extend"
    path = "api/line/edit"
    kind = "write"
    required = ["id"]
    """

@Suite("[[endpoints]] declarations that cannot be used")
struct EndpointDeclarationErrorTests {
    @Test("each bad declaration is refused with its line and what to write instead", arguments: [
        (goodDeclaration + "\n\n[[endpoints]]\nname = \"lines.extend\"\npath = \"api/line/x\"\nkind = \"read\"",
         "nightshift.toml:8: [[endpoints]] name 'lines.extend' is declared twice (first at line 2); each endpoint needs its own name"),
        ("[[endpoints]]\nname = \"resellers.extend\"\npath = \"api/x/y\"\nkind = \"write\"",
         "nightshift.toml:2: [[endpoints]] name 'resellers.extend' shadows the built-in resellers.* group; choose another group name"),
        ("[[endpoints]]\nname = \"lines.extend\"\npath = \"api/../admin/drop\"\nkind = \"write\"",
         "nightshift.toml:3: [[endpoints]] 'lines.extend': path 'api/../admin/drop' must not contain '..' or '.'; write api/<group>/<action>"),
        ("[[endpoints]]\nname = \"lines.extend\"\npath = \"api/line/edit\"\nkind = \"delete\"",
         "nightshift.toml:4: [[endpoints]] 'lines.extend': unknown kind 'delete'; use \"read\" or \"write\""),
        ("[[endpoints]]\nname = \"lines.extend\"\npath = \"api/line/edit\"\nkind = \"write\"\ncredits = { param = \"credits\", sign = -1 }\nrequired = [\"id\"]",
         "nightshift.toml:5: [[endpoints]] 'lines.extend': the credit param 'credits' is not in required; add it, so that every call says how many credits it moves"),
        ("[[endpoints]]\nname = \"Lines\"\npath = \"api/line/edit\"\nkind = \"write\"",
         "nightshift.toml:2: [[endpoints]] name 'Lines' must be group.function in lowercase letters, digits and _, e.g. \"lines.extend\""),
        ("[[endpoints]]\nname = \"lines.extend\"\npath = \"line/edit\"\nkind = \"write\"",
         "nightshift.toml:3: [[endpoints]] 'lines.extend': path 'line/edit' must be api/<group>/<action> (letters, digits, _ and -), e.g. \"api/line/edit\""),
        ("[[endpoints]]\nname = \"tasks.extend\"\npath = \"api/line/edit\"\nkind = \"write\"",
         "nightshift.toml:2: [[endpoints]] name 'tasks.extend' shadows a name scripts already have; choose another group name"),
        ("[[endpoints]]\nname = \"lines.extend\"\npath = \"api/line/edit\"\nkind = \"write\"\nmethod = \"GET\"",
         "nightshift.toml:1: [[endpoints]] unknown key 'method'; known keys: credits, doc, kind, name, path, required, target"),
        ("[[endpoints]]\nname = \"lines.list\"\npath = \"api/line/list\"\nkind = \"read\"\ncredits = { param = \"n\", sign = 1 }\nrequired = [\"n\"]",
         "nightshift.toml:5: [[endpoints]] 'lines.list': a read moves no credits; remove credits or make it kind = \"write\""),
    ])
    func refused(toml: String, message: String) {
        #expect(throws: NightshiftConfiguration.Failure(message)) {
            try NightshiftConfiguration.parse(toml, fileName: "nightshift.toml", home: "/home/x")
        }
    }

    @Test("a good declaration reads back with its group, action, target, credits and required parameters")
    func good() throws {
        let configuration = try NightshiftConfiguration.parse(declaredTOML, fileName: "nightshift.toml", home: "/home/x")
        #expect(configuration.endpoints.map(\.name) == ["lines.list", "lines.extend"])
        let extend = configuration.endpoints[1]
        #expect(extend.path == "api/line/edit" && extend.kind == .write && extend.target == "id")
        #expect(extend.credits == .init(param: "credits", sign: -1) && extend.required == ["id", "credits"])
    }
}
