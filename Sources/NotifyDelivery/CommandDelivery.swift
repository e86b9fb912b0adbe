import Foundation

/// Runs a notification command with the message on its standard input: one attempt, no
/// retry. Its output is discarded; its exit status decides.
public enum CommandDelivery {
    /// Runs `argv` (a bare program name is looked up in `PATH`) with `input` on standard input.
    /// - Parameters:
    ///   - timeout: the most the command may take; it is stopped (SIGTERM) after that.
    ///   - environment: variables added to (or, with nil, removed from) the daemon's own
    ///     environment. `NIGHTSHIFT_API_KEY` is always removed: the command gets the message,
    ///     not the panel's key.
    public static func run(
        _ argv: [String], input: [UInt8], timeout: Duration, environment changes: [String: String?] = [:]
    ) async -> NotifyReceipt {
        guard let program = argv.first else { return NotifyReceipt(outcome: .notSent, detail: "the command is empty") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program.contains("/") ? program : "/usr/bin/env")
        process.arguments = program.contains("/") ? Array(argv.dropFirst()) : argv
        var environment = ProcessInfo.processInfo.environment
        environment["NIGHTSHIFT_API_KEY"] = nil
        for (name, value) in changes { environment[name] = value }
        process.environment = environment
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exit = ExitWaiter()
        process.terminationHandler = { exit.finish(Int($0.terminationStatus)) }
        do {
            try process.run()
        } catch {
            return NotifyReceipt(outcome: .notSent, detail: "cannot start \(program)")
        }
        // Written on a thread of its own: a command that never reads must not hold us.
        let writer = stdin.fileHandleForWriting
        let body = Data(input)
        Thread.detachNewThread {
            try? writer.write(contentsOf: body)
            try? writer.close()
        }
        guard let status = await exit.wait(timeout: timeout) else {
            process.terminate()
            return NotifyReceipt(
                outcome: .unknown, detail: "\(program) did not finish in time and was stopped; it may or may not have sent the message")
        }
        if !program.contains("/"), status == 127 {
            // env's own "not found": the command never ran.
            return NotifyReceipt(outcome: .notSent, status: status, detail: "cannot start \(program) (not found in PATH)")
        }
        return NotifyReceipt(
            outcome: status == 0 ? .delivered : .rejected, status: status, detail: "\(program) exited with status \(status)")
    }
}
