import Hummingbird
import NIOCore

/// Hands every request, whatever its path, to the ``PanelEmulator``.
struct EmulatorResponder: HTTPResponder {
    typealias Context = EmulatorRequestContext

    let emulator: PanelEmulator

    /// Thrown after closing a connection on purpose; the server then writes nothing.
    struct Dropped: Error {}

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let exchange = EmulatorRequest(
            method: request.method.rawValue, path: request.uri.path, body: Array(buffer: body),
            remoteIP: context.channel.remoteAddress?.ipAddress, remotePort: context.channel.remoteAddress?.port)
        switch await emulator.handle(exchange) {
        case .drop:
            try? await context.channel.close()
            throw Dropped()
        case .respond(let status, let contentType, let bytes, let retryAfter):
            var headers = HTTPFields()
            headers[.contentType] = contentType
            if let retryAfter { headers[.retryAfter] = retryAfter }
            return Response(
                status: .init(code: status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
