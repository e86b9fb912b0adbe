import Hummingbird
import TestHTTP

/// A webhook receiver on 127.0.0.1 and a free port, started by the test: it records every
/// body POSTed to its secret path and answers with `status`, after `delay` (and once its
/// `hold` opens, if it has one).
final class WebhookReceiver: Sendable {
    private let receiver: HTTPReceiver

    var port: Int { receiver.port }
    var url: String { receiver.url }
    var received: [String] { receiver.received.map(\.body) }

    private init(_ receiver: HTTPReceiver) { self.receiver = receiver }

    /// - Parameter hold: every request waits at it before it is answered (after `delay`).
    static func start(status: HTTPResponse.Status = .ok, delay: Duration = .zero, hold: Latch? = nil) async throws -> WebhookReceiver {
        WebhookReceiver(try await HTTPReceiver.start({ _ in (status, delay) }, hold: { _ in await hold?.wait() }))
    }

    func stop() { receiver.stop() }
}
