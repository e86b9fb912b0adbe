import Hummingbird
import NIOCore

/// What the console knows about one request beyond the request itself: where it came from,
/// its session once looked up, and its form once read.
public struct ConsoleContext: RequestContext {
    /// Hummingbird's own part.
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address (the proxy's, behind a reverse proxy).
    public let address: String
    /// The session the cookie names, when it is live.
    public var session: ConsoleSession?
    /// The POST body's fields (empty for GET).
    public var form = FormFields(nil)

    /// Creates the context for a request on `source`'s connection.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        address = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
