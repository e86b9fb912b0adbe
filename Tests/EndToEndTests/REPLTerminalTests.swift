import Foundation
import Testing

/// `nightshift repl` driven through a real pseudo-terminal (tmux), against the emulator.
@Suite("nightshift repl in a real terminal", .serialized)
struct REPLTerminalTests {
    func repl(_ panel: Panel, _ flags: [String] = []) throws -> Terminal {
        try Terminal([Nightshift.path, "repl", "--panel", panel.url, "--state", panel.state] + flags, environment: panel.environment)
    }

    @Test("a multi-line function definition continues at the >> prompt and then runs")
    func multiLine() throws {
        let panel = try Panel()
        let terminal = try repl(panel)
        try terminal.wait(forPrompt: ">")
        try terminal.line("function double(x)")
        try terminal.wait(forPrompt: ">>")
        try terminal.line("  return x * 2")
        try terminal.line("end")
        try terminal.line("double(21)")
        let screen = try terminal.wait(forText: "\n42")
        #expect(screen.contains(">>   return x * 2"))
    }

    @Test("expressions print their value, tables pretty-printed, and _ keeps the last one")
    func expressions() throws {
        let panel = try Panel()
        let terminal = try repl(panel)
        try terminal.wait(forPrompt: ">")
        try terminal.line("{3, 1, 2}")
        try terminal.wait(forText: "{3, 1, 2}")
        try terminal.line("{name = 'ann', credits = 5, tags = {'a'}}")
        try terminal.wait(forText: "{ credits = 5, name = \"ann\", tags = {\"a\"} }")
        try terminal.line("_.name")
        try terminal.wait(forText: "\"ann\"")
        try terminal.line("#resellers.list()")
        try terminal.wait(forText: "\n12")
    }

    @Test("Tab completes the fields of resellers")
    func completion() throws {
        let panel = try Panel()
        let terminal = try repl(panel)
        try terminal.wait(forPrompt: ">")
        try terminal.type("resellers.add_")
        try terminal.press("Tab")
        try terminal.wait(forText: "resellers.add_credits")
        try terminal.press("C-u")
        try terminal.type("resellers.")
        try terminal.press("Tab", "Tab")
        let screen = try terminal.wait(for: "the list of fields") { $0.contains("update") && $0.contains("new") }
        #expect(screen.contains("list"))
        #expect(screen.contains("add_credits"))
    }

    @Test("history persists across two sessions and never stores the API key")
    func history() throws {
        let panel = try Panel()
        do {
            let first = try repl(panel)
            try first.wait(forPrompt: ">")
            try first.line("answer = 6 * 7")
            try first.line("secret = '\(Panel.key)'")
            try first.wait(forPrompt: ">", count: 3)
            try first.press("C-d")
            #expect(try first.exitStatus() == 0)
        }
        let second = try repl(panel)
        try second.wait(forPrompt: ">")
        try second.press("Up")
        try second.wait(forText: "> answer = 6 * 7")
        try second.press("Enter")
        try second.line("answer")
        try second.wait(forText: "\n42")
        let history = try String(contentsOfFile: panel.state + "/repl_history", encoding: .utf8)
        #expect(history.contains("answer"))
        #expect(!history.contains(Panel.key))
    }

    @Test("Ctrl-C interrupts a busy loop and the session goes on")
    func interruptLoop() throws {
        let panel = try Panel()
        let terminal = try repl(panel)
        try terminal.wait(forPrompt: ">")
        // The statement says when it runs: a Ctrl-C before that would only clear the prompt.
        try terminal.line("print('looping') while true do end")
        try terminal.wait(forText: "\nlooping")
        try terminal.press("C-c")
        try terminal.wait(forText: "interrupted")
        try terminal.line("1 + 1")
        try terminal.wait(forText: "\n2")
    }

    @Test("Ctrl-C interrupts a slow panel call and the session goes on")
    func interruptPanelCall() throws {
        let panel = try Panel(extra: ["--latency-ms", "60000"])
        let terminal = try repl(panel)
        try terminal.wait(forPrompt: ">")
        try terminal.line("print('calling') rows = resellers.list()")
        try terminal.wait(forText: "\ncalling")
        try terminal.press("C-c")
        // Well before the panel's 60 s latency or the 30 s statement limit.
        try terminal.wait(forText: "interrupted", timeout: 10)
        try terminal.line("'still here'")
        try terminal.wait(forText: "\"still here\"")
    }

    @Test("Ctrl-C during tasks.map stops every task of the statement; writes in flight are audited, none follows")
    func interruptTasks() throws {
        let panel = try Panel(extra: ["--latency-ms", "200"])
        let terminal = try repl(panel, ["--yes", "--allow", "resellers.list", "--allow", "resellers.add_credits", "--max-credits", "100000"])
        try terminal.wait(forPrompt: ">")
        try terminal.line(
            "tasks.map(resellers.list(), function(r) for i = 1, 100 do resellers.add_credits(r.id, 1) if i == 2 then print('flowing') end end end, {concurrency = 4})")
        try terminal.wait(forText: "\nflowing")
        try terminal.press("C-c")
        try terminal.wait(forText: "interrupted", timeout: 10)
        let afterStop = try panel.credits()
        try terminal.line("'still here'")
        try terminal.wait(forText: "\"still here\"")
        // No task of the stopped statement goes on in the background.
        Thread.sleep(forTimeInterval: 1)
        #expect(try panel.credits() == afterStop)
        // Every write is in the audit log with the panel's answer: none left outcome unknown.
        let audit = try panel.audit(["--json"]).output
        #expect(audit.contains("\"done\""))
        #expect(!audit.contains("outcome unknown"))
    }

    @Test("Ctrl-C at the prompt drops the line being typed")
    func interruptPrompt() throws {
        let panel = try Panel()
        let terminal = try repl(panel)
        try terminal.wait(forPrompt: ">")
        try terminal.type("error('this must not run')")
        // Ctrl-C once the line is on screen: on a busy machine it could otherwise reach the
        // REPL before the typed keys, and the keys then make a line of their own.
        try terminal.wait(forText: "> error('this must not run')")
        try terminal.press("C-c")
        try terminal.line("'after'")
        let screen = try terminal.wait(forText: "\"after\"")
        #expect(!screen.contains("this must not run\n"))
    }

    @Test("Ctrl-D exits with status 0")
    func controlD() throws {
        let panel = try Panel()
        let terminal = try repl(panel)
        try terminal.wait(forPrompt: ">")
        try terminal.press("C-d")
        #expect(try terminal.exitStatus() == 0)
    }

    @Test("piped input is read without prompts or escape codes")
    func piped() throws {
        let panel = try Panel()
        let result = try Nightshift.run(
            ["repl", "--panel", panel.url, "--state", panel.state], environment: panel.environment,
            input: "x = 20\nx + 22\n{1, 2}\n")
        #expect(result.status == 0)
        #expect(result.output == "42\n{1, 2}\n")
        #expect(!result.output.contains("\u{1B}"))
    }
}
