import Foundation

extension SchedulerDaemon {
    /// The end of a run that the store did not take (PostgreSQL unreachable): kept and
    /// written again on every tick until the store answers, so the run is never left
    /// `running` by a daemon that knows how it ended.
    struct UnsavedEnd: Sendable {
        var id: Int64
        var job: String
        /// The child's receipt, removed once the end is recorded: until then it is what a
        /// restarted daemon would read the end from.
        var receipt: String?
        var write: @Sendable () async throws -> Void
        /// Runs once the end is recorded (observers are told only about ends in the store).
        var then: @Sendable () -> Void
    }

    /// Writes a run's end, or keeps it for the next tick when the store fails; once the end
    /// is recorded, removes the run's receipt and runs `then`.
    func saveEnd(
        id: Int64, job: String, receipt: String? = nil, _ write: @escaping @Sendable () async throws -> Void,
        then: @escaping @Sendable () -> Void = {}
    ) async {
        let end = UnsavedEnd(id: id, job: job, receipt: receipt, write: write, then: then)
        // Ends are written in order: a later one never overtakes one still waiting.
        guard unsavedEnds.isEmpty else {
            unsavedEnds.append(end)
            return
        }
        do {
            try await write()
            if let receipt { unlink(receipt) }
            then()
        } catch {
            logger.error(
                "cannot record the end of a run; keeping it until the store answers: \(error)",
                metadata: ["job": "\(job)", "run": "\(id)"])
            unsavedEnds.append(end)
        }
    }

    /// Writes the kept ends, oldest first; stops at the first the store still refuses.
    func flushUnsavedEnds() async {
        while let first = unsavedEnds.first {
            do {
                try await first.write()
            } catch {
                return
            }
            unsavedEnds.removeFirst()
            if let receipt = first.receipt { unlink(receipt) }
            first.then()
            logger.info("recorded the end of a run the store could not take before", metadata: ["job": "\(first.job)", "run": "\(first.id)"])
        }
    }
}
