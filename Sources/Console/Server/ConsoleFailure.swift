import Hummingbird

/// A request the console answers with an error page: the status and what the person should
/// know and do, in words. Never a Swift type dump, never a secret.
struct ConsoleFailure: Error, Sendable {
    /// The HTTP status.
    var status: HTTPResponse.Status
    /// What was wrong and what to do.
    var message: String
    /// Extra headers (`Allow`, `Retry-After`).
    var headers: HTTPFields = [:]

    static func notFound(_ what: String) -> ConsoleFailure {
        ConsoleFailure(status: .notFound, message: "\(what) does not exist.")
    }

    static func badRequest(_ message: String) -> ConsoleFailure {
        ConsoleFailure(status: .badRequest, message: message)
    }

    static func forbidden(_ message: String) -> ConsoleFailure {
        ConsoleFailure(status: .forbidden, message: message)
    }

    static func methodNotAllowed(_ allowed: String) -> ConsoleFailure {
        ConsoleFailure(
            status: .methodNotAllowed, message: "This address takes \(allowed) requests only.",
            headers: [.allow: allowed])
    }
}
