import Hummingbird
import NIOCore

/// Hummingbird request context that keeps the channel, for the caller's address and for
/// dropping a connection on purpose.
struct EmulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// Panel requests are small; the vendor's biggest is a `new` with a few fields.
    var maxUploadSize: Int { 1024 * 1024 }
}
