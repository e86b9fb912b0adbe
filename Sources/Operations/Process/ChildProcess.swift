import Foundation
import Synchronization

/// A child process `nightshift` starts (`nightshift-full emulator` for `--emulator`,
/// `nightshift-full ship-records` after a run): its standard input is a pipe this process
/// holds, so the child sees end of input when this process ends, however it ends; its
/// standard output is read a line at a time; the last 4 KB of its standard error are kept
/// for messages.
final class ChildProcess: Sendable {
    private let process: Process
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Mutex<[UInt8]>([])

    /// The most of the child's standard error kept.
    static let errorLimit = 4096

    /// Starts `path` with `arguments`, inheriting this process's environment.
    /// - Throws: when it cannot be started.
    init(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        let errorPipe = Pipe()
        process.standardError = errorPipe
        try process.run()
        self.process = process
        let reading = errorPipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let data = reading.availableData
                if data.isEmpty { break }
                self.errors.withLock { kept in
                    kept += data
                    if kept.count > Self.errorLimit { kept.removeFirst(kept.count - Self.errorLimit) }
                }
            }
        }
    }

    /// What the child wrote on standard error so far (its last 4 KB).
    var standardError: String { String(decoding: errors.withLock { $0 }, as: UTF8.self) }

    /// The child's exit status, once it has ended.
    var status: Int32 { process.terminationStatus }

    /// Whether the child is still running.
    var isRunning: Bool { process.isRunning }

    /// Writes `text` to the child's standard input; false when the child no longer reads it.
    @discardableResult
    func send(_ text: String) -> Bool {
        (try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))) != nil
    }

    /// Closes the child's standard input: a child that waits for its end stops.
    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// The child's next line of standard output, or nil when it ended its output first or
    /// `deadline` passed (the child is then stopped).
    func line(before deadline: ContinuousClock.Instant) async -> String? {
        let watchdog = Task {
            try await Task.sleep(until: deadline, clock: .continuous)
            self.stop()
        }
        defer { watchdog.cancel() }
        let descriptor = output.fileHandleForReading.fileDescriptor
        return await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            Thread.detachNewThread {
                var bytes: [UInt8] = []
                var byte: UInt8 = 0
                while true {
                    let count = read(descriptor, &byte, 1)
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 || byte == UInt8(ascii: "\n") { break }
                    bytes.append(byte)
                }
                continuation.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    /// Waits for the child to end, at most until `deadline`; then stops it and returns false.
    func wait(until deadline: ContinuousClock.Instant) async -> Bool {
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                stop()
                return false
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Stops the child: SIGTERM, and SIGKILL if it is still running 200 ms later.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let pid = process.processIdentifier
        let process = process
        Thread.detachNewThread {
            usleep(200_000)
            if process.isRunning { kill(pid, SIGKILL) }
        }
    }
}
