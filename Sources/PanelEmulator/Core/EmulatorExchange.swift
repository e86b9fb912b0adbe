/// One request as the emulator sees it, whether it came over a socket or in-process.
public struct EmulatorRequest: Sendable {
    /// The HTTP method.
    public var method: String
    /// The path, without query string.
    public var path: String
    /// The raw body.
    public var body: [UInt8]
    /// The caller's IP address.
    public var remoteIP: String?
    /// The caller's port, which tells connections apart (nil in-process).
    public var remotePort: Int?

    /// Creates a request.
    public init(method: String = "POST", path: String, body: [UInt8], remoteIP: String?, remotePort: Int? = nil) {
        self.method = method
        self.path = path
        self.body = body
        self.remoteIP = remoteIP
        self.remotePort = remotePort
    }
}

/// What the emulator does with a request.
public enum EmulatorOutcome: Sendable, Equatable {
    /// Answer with this status, content type and body, and a `Retry-After` header if given.
    case respond(status: Int, contentType: String, body: [UInt8], retryAfter: String? = nil)
    /// Close the connection without answering (an injected fault).
    case drop
}
