import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP request to a notification receiver (a webhook, a healthchecks-style ping URL):
/// one attempt, no retry, and a receipt that never names the URL.
public enum HTTPDelivery {
    /// Sends `body` to `url` and reads the first 512 bytes of the answer.
    /// - Parameters:
    ///   - method: `POST` (default) or `GET`.
    ///   - contentType: the body's type; nil sends none.
    ///   - timeout: the most the exchange may take, connecting included.
    ///   - receiver: how messages name the receiver: "the webhook" (default), "the ping".
    /// - Returns: delivered for 2xx, rejected for another status, not sent when nothing was
    ///   received (connection refused, bad URL), unknown after a timeout or a failure after
    ///   sending.
    public static func send(
        _ body: [UInt8], to url: String, method: String = "POST", contentType: String? = "application/json",
        timeout: Duration, receiver: String = "the webhook"
    ) async -> NotifyReceipt {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .milliseconds(timeout.wholeMilliseconds)))
        // A refused connection fails at once: the retry is the caller's, so it stays bounded.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let receipt: NotifyReceipt
        do {
            var request = HTTPClientRequest(url: url)
            request.method = HTTPMethod(rawValue: method)
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.headers.add(name: "User-Agent", value: "nightshift")
            if !body.isEmpty || method == "POST" { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await client.execute(request, timeout: .milliseconds(timeout.wholeMilliseconds))
            var answer: [UInt8] = []
            for try await chunk in response.body where answer.count < 512 {
                answer += chunk.readableBytesView.prefix(512 - answer.count)
            }
            let status = Int(response.status.code)
            let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let detail = "HTTP \(status)" + (text.isEmpty ? "" : ": " + text)
            receipt = NotifyReceipt(outcome: (200..<300).contains(status) ? .delivered : .rejected, status: status, detail: detail)
        } catch {
            receipt = Self.receipt(for: error, receiver: receiver)
        }
        try? await client.shutdown()
        return receipt
    }

    /// What a failed exchange means. The error's own text is never used: it may hold the URL.
    private static func receipt(for error: any Error, receiver: String) -> NotifyReceipt {
        if error is NIOConnectionError {
            return NotifyReceipt(outcome: .notSent, detail: "cannot connect to \(receiver) (connection refused)")
        }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED {
            return NotifyReceipt(outcome: .notSent, detail: "cannot connect to \(receiver) (connection refused)")
        }
        if case ChannelError.connectTimeout = error {
            return NotifyReceipt(outcome: .notSent, detail: "cannot connect to \(receiver) (connect timed out)")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                return NotifyReceipt(outcome: .notSent, detail: "cannot connect to \(receiver) (connect timed out)")
            case .invalidURL, .emptyHost, .emptyScheme:
                return NotifyReceipt(outcome: .notSent, detail: "\(receiver) URL is not a valid http(s) URL")
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return NotifyReceipt(
                    outcome: .unknown, detail: "no answer from \(receiver) in time; it may or may not have received the message")
            default:
                break
            }
        }
        return NotifyReceipt(
            outcome: .unknown, detail: "\(receiver) exchange failed after sending; it may or may not have received the message")
    }
}
