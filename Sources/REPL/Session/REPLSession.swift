import Foundation
import LuaHost

/// An interactive Lua session: reads statements, runs them in one VM (limits per statement),
/// prints results, keeps `_`, and answers dot-commands.
public final class REPLSession {
    /// The VM statements run in; globals persist from one statement to the next.
    public let vm: LuaVM
    private let reader: LineReader
    private let write: (String) -> Void
    private let writeError: (String) -> Void
    private let printer: ValuePrinter
    private let statements = StatementReader()
    private var runner: LuaFunctionRef
    /// The panel side of the session, for `.plan`, `.audit` and cancelling panel calls.
    public weak var host: REPLCommandHost?

    /// Makes a session.
    /// - Parameters:
    ///   - vm: the VM, with the script API already registered.
    ///   - reader: the terminal or a pipe.
    ///   - printer: how results are shown (colour only on a terminal).
    ///   - write: normal output; `writeError`: error messages.
    ///   - join: a Lua function run at the end of each statement, inside it (waits for the
    ///     statement's tasks, so their errors and limits are the statement's).
    public init(
        vm: LuaVM, reader: LineReader, printer: ValuePrinter,
        write: @escaping (String) -> Void, writeError: @escaping (String) -> Void, join: LuaFunctionRef? = nil
    ) throws(LuaError) {
        self.vm = vm
        self.reader = reader
        self.printer = printer
        self.write = write
        self.writeError = writeError
        // Runs a statement's chunk and keeps an expression's first result in `_`.
        runner = try vm.load(
            """
            local pack, unpack, rawset = table.pack, table.unpack, rawset
            local globals = _ENV
            local join = ...
            return function(chunk, keep)
              local results = pack(chunk())
              if join then join() end
              if keep and results.n > 0 then rawset(globals, "_", results[1]) end
              return unpack(results, 1, results.n)
            end
            """, chunkName: "=repl")
        guard case .function(let function)? = try vm.call(runner, join.map { [.function($0)] } ?? []).first else {
            throw LuaError(.runtime, "the REPL runner did not compile")
        }
        vm.release(runner)
        runner = function
    }

    /// Stops the running statement (Ctrl-C): the VM and whatever it waits on.
    public func interrupt() {
        vm.interrupter.interrupt()
        host?.cancelPendingCall()
    }

    /// Runs until Ctrl-D, `.exit` or the end of input; returns the exit status.
    public func run() -> Int32 {
        if reader.isInteractive {
            write("Nightshift REPL on Lua 5.4 - .help for commands, Ctrl-D to leave\n")
        }
        while true {
            switch reader.readLine(prompt: "> ") {
            case .end:
                if reader.isInteractive { write("\n") }
                return 0
            case .interrupted:
                continue
            case .line(let line):
                if line.trimmingCharacters(in: .whitespaces).hasPrefix(".") {
                    reader.remember(line)
                    if !command(line.trimmingCharacters(in: .whitespaces)) { return 0 }
                    continue
                }
                if !readStatement(first: line) { return 0 }
            }
        }
    }

    /// Reads continuation lines until the statement compiles or fails, and evaluates it.
    /// Returns false when the input ended before the statement did.
    private func readStatement(first: String) -> Bool {
        var source = first
        while true {
            switch statements.compile(source, in: vm) {
            case .chunk(let chunk, _, let isExpression):
                reader.remember(source)
                evaluate(chunk, keep: isExpression)
                return true
            case .syntaxError(let message):
                reader.remember(source)
                writeError(message + "\n")
                return true
            case .incomplete:
                switch reader.readLine(prompt: ">> ") {
                case .line(let more): source += "\n" + more
                case .interrupted: return true
                case .end: return false
                }
            }
        }
    }

    private func evaluate(_ chunk: LuaFunctionRef, keep: Bool) {
        defer { vm.release(chunk) }
        host?.willRunStatement()
        do {
            let results = try vm.callForDisplay(runner, [.function(chunk), .boolean(keep)])
            host?.didRunStatement()
            if !results.isEmpty { write(printer.render(results) + "\n") }
        } catch {
            host?.didRunStatement()
            switch error.kind {
            case .limit(.interrupted): writeError("interrupted\n")
            default: writeError(error.message + "\n")
            }
        }
    }

    /// Runs a dot-command; returns false when the session should end.
    private func command(_ line: String) -> Bool {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case ".exit", ".quit":
            return false
        case ".help":
            write(REPLSession.help)
        case ".load":
            load(file: argument)
        case ".plan":
            write((host?.togglePlan() ?? "no panel session: .plan needs `nightshift repl`") + "\n")
        case ".audit":
            write((host?.sessionAudit() ?? "no panel session: .audit needs `nightshift repl`") + "\n")
        default:
            writeError("unknown command \(parts[0]); .help lists the commands\n")
        }
        return true
    }

    private func load(file path: String) {
        guard !path.isEmpty else {
            writeError(".load needs a file: .load scripts/report.lua\n")
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            writeError(".load: cannot read \(path)\n")
            return
        }
        do {
            let chunk = try vm.load(bytes: Array(data), chunkName: (path as NSString).lastPathComponent)
            evaluate(chunk, keep: false)
        } catch {
            writeError(error.message + "\n")
        }
    }

    static let help = """
        Type Lua statements or expressions; expressions print their value, `_` holds the last one.
        An unfinished statement continues on the next line (prompt >>).
          .help         this text
          .load FILE    run a script file in this session
          .plan         switch dry-run on or off; show the writes planned so far
          .audit        the writes made in this session
          .exit         leave (or Ctrl-D)
        Tab completes globals, keywords and fields (resellers.<Tab>). Ctrl-C stops a running
        statement, or clears the line at the prompt. Ctrl-R searches the history.\n
        """
}
