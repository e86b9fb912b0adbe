import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Delivers scripts' notifications to the operator's targets: a webhook gets the message as
/// a JSON POST, a command gets it on its standard input.
///
/// A delivery is one attempt, plus bounded retries only when nothing reached the receiver
/// (connection refused, the command could not start). After a timeout the message may have
/// arrived, so it is never sent again. Webhook URLs are secrets: no receipt, error or log
/// line names them (see ``redact(_:)``). Safe to use from any thread.
public final class Notifier: Sendable {
    /// The configured targets, by name.
    public let targets: [String: NotifyTarget]
    /// The most one attempt may take (connect, send and answer, or the command's run).
    public let timeout: Duration
    /// The waits before each retry of a delivery that reached no one.
    public let retryDelays: [Duration]

    /// - Parameters:
    ///   - targets: the `[notify.NAME]` targets.
    ///   - timeout: the most one attempt may take.
    ///   - retryDelays: one wait per retry when nothing was received.
    public init(
        targets: [NotifyTarget], timeout: Duration = .seconds(10),
        retryDelays: [Duration] = [.milliseconds(200), .seconds(1)]
    ) {
        self.targets = Dictionary(targets.map { ($0.name, $0) }) { $1 }
        self.timeout = timeout
        self.retryDelays = retryDelays
    }

    /// `text` with every webhook URL replaced by `[webhook URL]`.
    public func redact(_ text: String) -> String {
        var text = text
        for target in targets.values {
            guard case .webhook(let url) = target.delivery, !url.isEmpty else { continue }
            text = text.replacingOccurrences(of: url, with: "[webhook URL]")
        }
        return text
    }

    /// Delivers `body` (JSON) to `target`. Runs in a task of its own: cancelling the caller
    /// after the first attempt started does not cut a delivery short.
    func deliver(_ target: NotifyTarget, body: [UInt8]) async -> NotifyReceipt {
        if Task.isCancelled { return NotifyReceipt(outcome: .notSent, detail: "the run stopped before it was sent", attempts: 0) }
        let attempt: @Sendable () async -> NotifyReceipt =
            switch target.delivery {
            case .webhook(let url): { [self] in await post(body, to: url) }
            case .command(let argv): { [self] in await run(argv, input: body) }
            }
        let receipt = await Task {
            var attempts = 0
            while true {
                var receipt = await attempt()
                attempts += 1
                receipt.attempts = attempts
                guard receipt.outcome == .notSent, attempts <= retryDelays.count else { return receipt }
                try? await Task.sleep(for: retryDelays[attempts - 1])
            }
        }.value
        return NotifyReceipt(
            outcome: receipt.outcome, status: receipt.status, detail: redact(receipt.detail), attempts: receipt.attempts)
    }

    // MARK: Webhooks

    private func post(_ body: [UInt8], to url: String) async -> NotifyReceipt {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .milliseconds(timeout.wholeMilliseconds)))
        // A refused connection fails at once: the retry is ours, so it stays bounded.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let receipt: NotifyReceipt
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "nightshift")
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: .milliseconds(timeout.wholeMilliseconds))
            var answer: [UInt8] = []
            for try await chunk in response.body where answer.count < 512 {
                answer += chunk.readableBytesView.prefix(512 - answer.count)
            }
            let status = Int(response.status.code)
            let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: " \t\r\n")
            let detail = "HTTP \(status)" + (text.isEmpty ? "" : ": " + text)
            receipt = NotifyReceipt(outcome: (200..<300).contains(status) ? .delivered : .rejected, status: status, detail: detail)
        } catch {
            receipt = Self.receipt(for: error)
        }
        try? await client.shutdown()
        return receipt
    }

    /// What a failed exchange means. The error's own text is never used: it may hold the URL.
    private static func receipt(for error: any Error) -> NotifyReceipt {
        if error is NIOConnectionError {
            return NotifyReceipt(outcome: .notSent, detail: "cannot connect to the webhook (connection refused)")
        }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED {
            return NotifyReceipt(outcome: .notSent, detail: "cannot connect to the webhook (connection refused)")
        }
        if case ChannelError.connectTimeout = error {
            return NotifyReceipt(outcome: .notSent, detail: "cannot connect to the webhook (connect timed out)")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                return NotifyReceipt(outcome: .notSent, detail: "cannot connect to the webhook (connect timed out)")
            case .invalidURL, .emptyHost, .emptyScheme:
                return NotifyReceipt(outcome: .notSent, detail: "the webhook URL is not a valid http(s) URL")
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return NotifyReceipt(
                    outcome: .unknown, detail: "no answer from the webhook in time; it may or may not have received the message")
            default:
                break
            }
        }
        return NotifyReceipt(
            outcome: .unknown, detail: "the webhook exchange failed after sending; it may or may not have received the message")
    }

    // MARK: Commands

    private func run(_ argv: [String], input: [UInt8]) async -> NotifyReceipt {
        guard let program = argv.first else { return NotifyReceipt(outcome: .notSent, detail: "the command is empty") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program.contains("/") ? program : "/usr/bin/env")
        process.arguments = program.contains("/") ? Array(argv.dropFirst()) : argv
        // The command gets the message, not the panel's key.
        var environment = ProcessInfo.processInfo.environment
        environment["NIGHTSHIFT_API_KEY"] = nil
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

/// Waits for a command's exit, with a time limit.
private final class ExitWaiter: Sendable {
    private let state = Mutex<(status: Int?, waiter: CheckedContinuation<Int?, Never>?)>((nil, nil))

    func finish(_ status: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Int?, Never>? in
            state.status = status
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: status)
    }

    func wait(timeout: Duration) async -> Int? {
        await withTaskGroup(of: Int?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let done = self.state.withLock { state -> Int? in
                        if let status = state.status { return status }
                        state.waiter = continuation
                        return nil
                    }
                    if let done { continuation.resume(returning: done) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if first == nil { self.finish(-1) }
            return first
        }
    }
}

extension Duration {
    /// Whole milliseconds, for NIO's `TimeAmount`.
    var wholeMilliseconds: Int64 {
        let (seconds, atto) = components
        return seconds * 1000 + atto / 1_000_000_000_000_000
    }
}
