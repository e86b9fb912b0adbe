import Foundation
import Testing

/// A panel with three known resellers: alice (id 1, 100 credits), bob (id 2, 5), carol (id 3, 0).
func knownPanel() throws -> Panel {
    let panel = try Panel(seed: 0)
    let setup = try panel.script("setup.lua", """
        resellers.new{name = 'alice', credits = 100, max_allowed_connections = 5}
        resellers.new{name = 'bob', credits = 5, max_allowed_connections = 1}
        resellers.new{name = 'carol', credits = 0, max_allowed_connections = 50, use_credits = false}
        """)
    let result = try panel.run(setup, ["--allow", "resellers.new", "--max-credits", "105"])
    guard result.status == 0 else { throw Panel.Startup(description: "setup failed: \(result.all)") }
    return panel
}

let allWrites = ["--allow", "resellers.*", "--allow", "panel.call"]

/// Runs `body` against a fresh panel with the three known resellers (``knownPanel()``), and
/// stops the panel after. Shared by the end-to-end suites of `nightshift run`.
func withKnownPanel(_ body: (Panel) throws -> Void) throws {
    let panel = try knownPanel()
    defer { panel.stop() }
    try body(panel)
}

extension Panel {
    /// Writes `source` as the script `name`, runs it (`nightshift run`) with `flags` and
    /// `input`, and expects exit `status`, showing what the run printed when it differs.
    @discardableResult
    func run(
        _ name: String, source: String, _ flags: [String] = [], input: String = "", expecting status: Int32,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Nightshift.Result {
        let result = try run(try script(name, source), flags, input: input)
        #expect(result.status == status, "running \(source): \(result.all)", sourceLocation: sourceLocation)
        return result
    }

    /// Writes `source` as the script `name`, runs it with `flags`, and expects it refused: exit
    /// 2, with `message` on standard error.
    @discardableResult
    func expectRefused(
        _ name: String, source: String, _ flags: [String] = [], saying message: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Nightshift.Result {
        let result = try run(name, source: source, flags, expecting: 2, sourceLocation: sourceLocation)
        #expect(result.error.contains(message), "\(result.error)", sourceLocation: sourceLocation)
        return result
    }

    /// `nightshift audit --run ID --json` for the run that printed `result`: its rows as JSON text.
    func auditJSON(of result: Nightshift.Result, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try audit(["--run", try #require(Panel.runID(result), sourceLocation: sourceLocation), "--json"]).output
    }
}
