import Foundation
import LuaHost
import Synchronization

/// Keeps `nightshift run` within its deadline whatever the script does: at the deadline
/// plus half a second it ends the VM's call as timed out; if the VM still has not returned at the
/// deadline plus one second (stuck inside a C library call), it gives up and ends the process.
public final class ProcessWatchdog: Sendable {
    private let finished = Atomic<Bool>(false)
    private let deadline: ContinuousClock.Instant
    private let interrupter: LuaInterrupter
    private let giveUp: @Sendable () -> Void

    /// - Parameters:
    ///   - deadline: when the run must be over.
    ///   - giveUp: called on the watchdog's thread when the VM did not return in time; it
    ///     must end the process.
    public init(deadline: ContinuousClock.Instant, interrupter: LuaInterrupter, giveUp: @escaping @Sendable () -> Void) {
        self.deadline = deadline
        self.interrupter = interrupter
        self.giveUp = giveUp
    }


    /// Starts watching on its own thread.
    public func start() {
        let thread = Thread { [self] in watch() }
        thread.name = "nightshift watchdog"
        thread.start()
    }

    /// The run ended: stand down.
    public func finish() { finished.store(true, ordering: .releasing) }

    private func watch() {
        sleep(until: deadline + .milliseconds(500))
        guard !finished.load(ordering: .acquiring) else { return }
        // Reported as the time limit it is, in the run record as on the terminal.
        interrupter.expire()
        sleep(until: deadline + .milliseconds(900))
        guard !finished.load(ordering: .acquiring) else { return }
        giveUp()
    }

    private func sleep(until instant: ContinuousClock.Instant) {
        while !finished.load(ordering: .acquiring) {
            let left = instant - ContinuousClock.now
            if left <= .zero { return }
            let (seconds, atto) = min(left, .milliseconds(50)).components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(atto) / 1e18)
        }
    }
}
