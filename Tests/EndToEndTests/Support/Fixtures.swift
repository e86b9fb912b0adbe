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
