import Hummingbird
import TestHTTP

/// A webhook receiver on 127.0.0.1 and a free port, started by the test: it records every
/// body POSTed to its secret path and answers with `status`, after `delay`.
final class WebhookReceiver: Sendable {
    private let receiver: HTTPReceiver

    var port: Int { receiver.port }
    var url: String { receiver.url }
    var received: [String] { receiver.received.map(\.body) }

    private init(_ receiver: HTTPReceiver) { self.receiver = receiver }

    static func start(status: HTTPResponse.Status = .ok, delay: Duration = .zero) async throws -> WebhookReceiver {
        WebhookReceiver(try await HTTPReceiver.start { _ in (status, delay) })
    }

    func stop() { receiver.stop() }
}
