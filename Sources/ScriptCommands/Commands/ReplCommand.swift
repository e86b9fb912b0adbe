import ArgumentParser
import Foundation
import Logging
import LuaHost
import Operations
import PanelAPI
import REPL
import ScriptRuntime
import NightshiftConfig
import ScriptAPI

/// `nightshift repl`: an interactive Lua console on the panel, with the same sandbox, grant,
/// audit and limits as `run` (limits apply per statement).
public struct ReplCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "An interactive Lua console on the panel (same API, grant and audit as run).",
        discussion: """
            Expressions print their value and `_` keeps the last one; .help lists the dot-commands. \
            Writes are shown and need a yes unless --yes is given; --dry-run starts with writes \
            planned, not sent (.plan switches). The time and memory limits apply to each statement. \
            With standard input not a terminal, statements are read without prompts. See docs/repl.md.
            """
    )

    @OptionGroup public var panel: PanelOptions
    @OptionGroup public var grantOptions: GrantOptions
    @OptionGroup public var scriptOptions: ScriptOptions

    @Flag(name: .customLong("dry-run"), help: "Start with writes planned, not sent (.plan switches).")
    public var dryRun = false

    @Flag(help: "Send writes without asking for a yes first.")
    public var yes = false

    @Option(help: "Time limit for each statement, e.g. 30s (default 30s or nightshift.toml).")
    public var timeout: String?

    @Option(help: "Memory limit for the session, e.g. 64M (default 64M or nightshift.toml).")
    public var memory: String?

    @OptionGroup public var state: StateOptions

    public func validate() throws {
        if let timeout, Limits.duration(timeout) == nil { throw ValidationError("--timeout \(timeout): write it as 30s, 2m or 500ms") }
        if let memory, Limits.bytes(memory) == nil { throw ValidationError("--memory \(memory): write it as 64M, 512K or 1G") }
    }

    public func run() async throws {
        do {
            try await execute()
        } catch {
            Output.error("nightshift repl: \(error.message)")
            throw error.code.exit
        }
    }

    private func execute() async throws(CommandFailure) {
        let environment = Environment()
        let configuration = try environment.configuration(explicit: state.configPath)
        let timeLimit = timeout.flatMap(Limits.duration) ?? configuration.runTimeout ?? .seconds(30)
        let memoryLimit = memory.flatMap(Limits.bytes) ?? configuration.memory ?? 64 << 20
        var logger = Logger(label: "nightshift.repl")
        logger.logLevel = .warning
        let stateDirectory = environment.stateDirectory(explicit: state.stateDirectory, configuration: configuration)
        let audit = try environment.auditLog(stateDirectory: stateDirectory)
        let grant = try grantOptions.grant(configuration)
        let records = RecordsCopy(
            settings: try environment.sharedRecords(configuration), audit: audit, stateDirectory: stateDirectory,
            environment: environment)
        let connection = try await panel.connect(
            environment: environment, configuration: configuration, within: timeLimit, logger: logger)
        let interactive = isatty(STDIN_FILENO) != 0
        let secret = connection.client.configuration.apiKey.secret

        let sink = OutputSink { line in
            if line.stream == "print" {
                FileHandle.standardOutput.write(Data(line.bytes))
            } else if line.stream != "debug" {
                FileHandle.standardError.write(Data("[\(line.stream)] ".utf8) + Data(line.bytes))
            }
        }
        // Each delivery is bounded by the statement's time limit.
        let notifier = Notifier(targets: configuration.notifyTargets, timeout: min(.seconds(10), timeLimit))
        let mode: RunMode = dryRun ? .dryRun : yes ? .live : .confirm
        let session: InteractiveSession
        do {
            session = try InteractiveSession(
                client: connection.client, grant: grant, mode: mode,
                limits: LuaLimits(memory: memoryLimit, time: timeLimit), audit: audit,
                confirmer: yes ? nil : TerminalConfirmer(), output: sink, logger: logger, maxTasks: scriptOptions.maxTasks,
                modulePaths: scriptOptions.modulePaths(configuration), notifier: notifier, catalogue: configuration.catalogue,
                panelName: connection.name)
        } catch {
            await connection.shutdown()
            throw CommandFailure(.scriptFailed, "cannot create the Lua VM: \(error.message)")
        }
        if interactive {
            Output.error("session \(session.identity.runID) on \(connection.label); \(grant)\(dryRun ? "; dry-run" : "")")
        }
        let historyFile = (stateDirectory as NSString).appendingPathComponent("repl_history")

        // The whole session runs on one thread of its own: host functions block there while
        // they wait for the panel, and readline blocks there while it waits for you.
        let status: Int32 = await ScriptThread.run(name: "nightshift repl") {
            Self.runSession(session, interactive: interactive, historyFile: historyFile, secret: secret)
        }
        session.finish()
        await connection.shutdown()
        await records?.ship(until: .now + .seconds(5)) { Output.error("nightshift repl: \($0)") }
        if status != 0 { throw CommandFailure(.scriptFailed, "the session ended with status \(status)") }
    }

    private static func runSession(_ session: InteractiveSession, interactive: Bool, historyFile: String, secret: String) -> Int32 {
        let vm = session.vm
        let reader: LineReader =
            interactive
            ? EditLineReader(
                historyFile: historyFile,
                // Nothing holding the API key is written to the history file.
                keepInHistory: { secret.isEmpty || !$0.contains(secret) },
                complete: { Completer().completions(for: $0, in: vm) })
            : PlainLineReader()
        let host = SessionHost(session)
        let repl: REPLSession
        do {
            repl = try REPLSession(
                vm: vm, reader: reader, printer: ValuePrinter(colour: interactive && isatty(STDOUT_FILENO) != 0),
                write: { Output.out($0, newline: false) }, writeError: { Output.error($0, newline: false) },
                join: session.join)
        } catch {
            Output.error("nightshift repl: \(error.message)")
            return 1
        }
        repl.host = host
        if interactive { InterruptSignal.install { session.interrupt() } }
        return repl.run()
    }
}

/// Connects the REPL's dot-commands to the panel session.
public final class SessionHost: REPLCommandHost {
    private let session: InteractiveSession

    init(_ session: InteractiveSession) { self.session = session }

    public func togglePlan() -> String { session.togglePlan() }
    public func sessionAudit() -> String { session.auditText() }
    public func cancelPendingCall() { session.interrupt() }
    public func willRunStatement() { session.prepareStatement() }
    public func didRunStatement() { session.finishStatement() }
}
