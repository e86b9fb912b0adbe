import NightshiftCore

extension RunEnd {
    /// How a run's child ended: what it reported in its receipt when it left one, else what
    /// its exit says.
    /// - Parameters:
    ///   - script: the child is `nightshift run` (it was given `--result-file`), so its exit
    ///     codes have their documented meanings, and ending without a receipt means it
    ///     never finished: `crashed`. A custom command leaves no receipt.
    init(exit: ChildExit, receipt: RunReceipt?, script: Bool) {
        self.init(status: .failed)
        switch exit {
        case let .exited(value): exitCode = value
        case let .signaled(value): signal = value
        case .vanished: break
        }
        if let receipt {
            // The child said how it ended: its status, error and writes, not a guess.
            status = receipt.status
            reason = receipt.error ?? receipt.note
            runID = receipt.runID
            writesSent = receipt.writesSent
            creditsMoved = receipt.creditsMoved
            if case .vanished = exit { exitCode = receipt.exitCode }
            return
        }
        switch exit {
        case .exited(0):
            status = .succeeded
        case let .exited(value):
            reason = "exited with status \(value)"
            // Only `nightshift run` speaks this code table; a custom command does not.
            if script, let code = RunExitCode(rawValue: value) {
                status = code.status
                reason! += " (\(code.meaning))"
            }
        case let .signaled(value):
            reason = "killed by signal \(value)"
            if script {
                status = .crashed
                reason! += " before it could report how the run ended; writes it sent are in the audit log (nightshift audit)"
            }
        case .vanished:
            if script {
                status = .crashed
                reason = "the child ended without reporting how the run ended (killed, or the machine stopped); writes it sent are in the audit log (nightshift audit)"
            } else {
                status = .interrupted
                reason = "the command outlived the daemon that started it and ended after a restart; a custom command reports no outcome: see its log"
            }
        }
    }
}
