import Foundation
import LuaHost
import PanelAPI
import Testing

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

@Suite("the script API catalogue")
struct CatalogueTests {
    @Test("docs/scripting.md's API table is the catalogue's")
    func docsTable() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/scripting.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let marker = try #require(text.range(of: "<!-- api-table"))
        let start = try #require(text.range(of: "-->\n", range: marker.lowerBound..<text.endIndex))
        let end = try #require(text.range(of: "\n<!-- /api-table -->"))
        #expect(String(text[start.upperBound..<end.lowerBound]) == APICatalogue.standard.markdownTable)
    }

    @Test("a group added to the catalogue is callable, granted by name, and refused without a grant")
    func addedGroupRuns() async throws {
        let h = try await Harness.make()
        func run(_ source: String, _ grant: Grant) async throws -> RunResult {
            let run = ScriptRun(
                scriptPath: "test.lua", source: Array(source.utf8), grant: grant, catalogue: DemoGroup.catalogue)
            let runner = try ScriptRunner(run: run, client: h.client, audit: h.audit, output: OutputSink { _ in }, logger: .init(label: "test"))
            return await ScriptThread.run { runner.execute() }
        }
        let granted = Grant(allowed: Set(DemoGroup.catalogue.parse("demo.*")!), maxCredits: 10)
        let ok = try await run("assert(demo.echo('hi') == 'hi') demo.give(1, 7)", granted)
        #expect(ok.status == .succeeded, "\(ok.error ?? "")")
        #expect(try await h.credits("alice") == 107)
        // The audit log names what the script called; the parameters name the panel's endpoint.
        #expect(try h.writes(ok.runID).map(\.endpoint) == ["demo.give"])
        #expect(try h.writes(ok.runID).map(\.parameters) == ["resellers.add_credits id=1&credits=7"])

        let capped = try await run("demo.give(1, 70)", granted)
        #expect(capped.status == .refused)
        #expect(capped.errorKind == "credit cap")

        let refused = try await run("demo.give(1, 1)", Grant(allowed: [APIFunction(rawValue: "demo.echo")], maxCredits: 10))
        #expect(refused.status == .refused)
        #expect(refused.error?.contains("demo.give is not granted (grant it with --allow demo.give)") == true, "\(refused.error ?? "")")
    }

    @Test("an added group's argument count comes from its declaration")
    func argumentSchema() async throws {
        let h = try await Harness.make()
        let run = ScriptRun(
            scriptPath: "test.lua", source: Array("demo.echo('a', 'b')".utf8), catalogue: DemoGroup.catalogue)
        let runner = try ScriptRunner(run: run, client: h.client, audit: nil, output: OutputSink { _ in }, logger: .init(label: "test"))
        let result = await ScriptThread.run { runner.execute() }
        #expect(result.error == "test.lua:1: bad argument #2 to 'demo.echo' (no value expected, got string)")
    }

    @Test("declarations, check's scan and the types know an added group")
    func derivedViews() {
        let catalogue = DemoGroup.catalogue
        #expect(catalogue.parse("demo.*") == [APIFunction(rawValue: "demo.echo"), APIFunction(rawValue: "demo.give")])
        #expect(catalogue.reads.contains(APIFunction(rawValue: "demo.echo")))
        #expect(APICatalogue.standard.parse("demo.echo") == nil)
        let source = Array("-- nightshift: allow demo.give\nlocal x = demo.echo('a')\ndemo.give(1, 2)\n".utf8)
        #expect(ScriptDeclaration.parse(source, catalogue: catalogue).allow == [APIFunction(rawValue: "demo.give")])
        #expect(ScriptUsage.scan(source, catalogue: catalogue) == [APIFunction(rawValue: "demo.echo"): 2, APIFunction(rawValue: "demo.give"): 3])
        #expect(ScriptUsage.scan(source).isEmpty)
        let types = LuaTypeDefinitions.text(for: catalogue)
        #expect(types.contains("---Gives a reseller credits.\n---@param id integer\n---@param credits integer\n---@return true\nfunction demo.give(id, credits) end"))
        #expect(catalogue.markdownTable.contains("| `demo.give(id, credits)` | writes | adds | Gives a reseller credits. |"))
        let check = ProgramCheck(script: "x.lua", source: source, grant: nil, catalogue: catalogue)
        #expect(check.needs == ["--allow", "demo.echo", "--allow", "demo.give"])
    }

    @Test("two functions with one name in a VM module are refused, not silently replaced")
    func duplicateHostFunctions() throws {
        let vm = try LuaVM()
        let one = LuaHostFunction("users.list") { _ in .none }
        let two = LuaHostFunction("users.list") { _ in .none }
        #expect(throws: LuaError.self) { try vm.register(LuaModule("host", functions: [one, two])) }
        // Same last part, different groups: both kept.
        try vm.register(LuaModule("host", functions: [LuaHostFunction("users.list") { _ in .none }, LuaHostFunction("resellers.list") { _ in .none }]))
        #expect(vm.fieldNames(at: ["host"]) == ["resellers.list", "users.list"])
    }
}
