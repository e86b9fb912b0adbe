import Foundation
import Testing

/// `nightshift repl` driven through a real pseudo-terminal (tmux), against the emulator.
@Suite("nightshift repl in a real terminal", .serialized)
struct REPLTerminalTests {
    /// `repl` against `panel`, plus `flags`.
    func repl(_ panel: Panel, _ flags: [String] = []) -> [String] {
        ["repl", "--panel", panel.url, "--state", panel.state] + flags
    }

    /// `nightshift repl` against `panel` in a real terminal, at its first prompt.
    func session(_ panel: Panel, _ flags: [String] = []) throws -> Terminal {
        let terminal = try Terminal([Nightshift.path] + repl(panel, flags), environment: panel.environment)
        try terminal.wait(forPrompt: ">")
        return terminal
    }

    /// Runs `body` with a session (given `flags`) against a fresh emulator (started with
    /// `extra`), which runs until `body` returns.
    func withSession(emulator extra: [String] = [], _ flags: [String] = [], _ body: (Panel, Terminal) throws -> Void) throws {
        let panel = try Panel(extra: extra)
        try body(panel, try session(panel, flags))
    }

    @Test("a multi-line function definition continues at the >> prompt and then runs")
    func multiLine() throws {
        try withSession { _, terminal in
            try terminal.enter("function double(x)", prompt: ">>")
            try terminal.line("  return x * 2")
            try terminal.line("end")
            let screen = try terminal.enter("double(21)", expecting: "\n42")
            #expect(screen.contains(">>   return x * 2"))
        }
    }

    @Test("expressions print their value, tables pretty-printed, and _ keeps the last one")
    func expressions() throws {
        try withSession { _, terminal in
            try terminal.enter("{3, 1, 2}", expecting: "{3, 1, 2}")
            try terminal.enter("{name = 'ann', credits = 5, tags = {'a'}}", expecting: "{ credits = 5, name = \"ann\", tags = {\"a\"} }")
            try terminal.enter("_.name", expecting: "\"ann\"")
            try terminal.enter("#resellers.list()", expecting: "\n12")
        }
    }

    @Test("Tab completes the fields of resellers")
    func completion() throws {
        try withSession { _, terminal in
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
    }

    @Test("history persists across two sessions and never stores the API key")
    func history() throws {
        let panel = try Panel()
        do {
            let first = try session(panel)
            try first.line("answer = 6 * 7")
            try first.line("secret = '\(Panel.key)'")
            try first.wait(forPrompt: ">", count: 3)
            try first.press("C-d")
            #expect(try first.exitStatus() == 0)
        }
        let second = try session(panel)
        try second.press("Up")
        try second.wait(forText: "> answer = 6 * 7")
        try second.press("Enter")
        try second.enter("answer", expecting: "\n42")
        let history = try String(contentsOfFile: panel.state + "/repl_history", encoding: .utf8)
        #expect(history.contains("answer"))
        #expect(!history.contains(Panel.key))
    }

    @Test("Ctrl-C interrupts a busy loop and the session goes on")
    func interruptLoop() throws {
        try withSession { _, terminal in
            // The statement says when it runs: a Ctrl-C before that would only clear the prompt.
            try terminal.enter("print('looping') while true do end", expecting: "\nlooping")
            try terminal.press("C-c")
            try terminal.wait(forText: "interrupted")
            try terminal.enter("1 + 1", expecting: "\n2")
        }
    }

    @Test("Ctrl-C interrupts a slow panel call and the session goes on")
    func interruptPanelCall() throws {
        try withSession(emulator: ["--latency-ms", "60000"]) { _, terminal in
            try terminal.enter("print('calling') rows = resellers.list()", expecting: "\ncalling")
            try terminal.press("C-c")
            // Well before the panel's 60 s latency or the 30 s statement limit.
            try terminal.wait(forText: "interrupted", timeout: 10)
            try terminal.enter("'still here'", expecting: "\"still here\"")
        }
    }

    @Test("Ctrl-C during tasks.map stops every task of the statement; writes in flight are audited, none follows")
    func interruptTasks() throws {
        let flags = ["--yes", "--allow", "resellers.list", "--allow", "resellers.add_credits", "--max-credits", "100000"]
        try withSession(emulator: ["--latency-ms", "200"], flags) { panel, terminal in
            try terminal.enter(
                "tasks.map(resellers.list(), function(r) for i = 1, 100 do resellers.add_credits(r.id, 1) if i == 2 then print('flowing') end end end, {concurrency = 4})",
                expecting: "\nflowing")
            try terminal.press("C-c")
            try terminal.wait(forText: "interrupted", timeout: 10)
            let afterStop = try panel.credits()
            try terminal.enter("'still here'", expecting: "\"still here\"")
            // No task of the stopped statement goes on in the background.
            Thread.sleep(forTimeInterval: 1)
            #expect(try panel.credits() == afterStop)
            // Every write is in the audit log with the panel's answer: none left outcome unknown.
            let audit = try panel.audit(["--json"]).output
            #expect(audit.contains("\"done\""))
            #expect(!audit.contains("outcome unknown"))
        }
    }

    @Test("Ctrl-C at the prompt drops the line being typed")
    func interruptPrompt() throws {
        try withSession { _, terminal in
            try terminal.type("error('this must not run')")
            // Ctrl-C once the line is on screen: on a busy machine it could otherwise reach the
            // REPL before the typed keys, and the keys then make a line of their own.
            try terminal.wait(forText: "> error('this must not run')")
            try terminal.press("C-c")
            let screen = try terminal.enter("'after'", expecting: "\"after\"")
            #expect(!screen.contains("this must not run\n"))
        }
    }

    @Test("Ctrl-D exits with status 0")
    func controlD() throws {
        try withSession { _, terminal in
            try terminal.press("C-d")
            #expect(try terminal.exitStatus() == 0)
        }
    }

    @Test("piped input is read without prompts or escape codes")
    func piped() throws {
        let panel = try Panel()
        let result = try Nightshift.run(repl(panel), environment: panel.environment, input: "x = 20\nx + 22\n{1, 2}\n")
        #expect(result.status == 0)
        #expect(result.output == "42\n{1, 2}\n")
        #expect(!result.output.contains("\u{1B}"))
    }
}

extension Terminal {
    /// Types `line`, presses Enter, and waits until `text` is on screen; returns the screen.
    @discardableResult
    fileprivate func enter(_ line: String, expecting text: String, timeout: Double = 30) throws -> String {
        try self.line(line)
        return try wait(forText: text, timeout: timeout)
    }

    /// Types `line`, presses Enter, and waits for the prompt `prompt` (`>>` while a statement
    /// goes on).
    fileprivate func enter(_ line: String, prompt: String) throws {
        try self.line(line)
        try wait(forPrompt: prompt)
    }
}
