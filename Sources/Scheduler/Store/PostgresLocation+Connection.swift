import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NightshiftCore
import PostgresNIO

/// How to reach a ``PostgresLocation`` with PostgresNIO, shared by every part of Nightshift
/// that talks to PostgreSQL (the scheduler's store, the shared audit records), so that TLS,
/// timeouts and error messages are decided once.
extension PostgresLocation {
    /// A pool configuration (`PostgresClient`) for this database.
    /// - Parameters:
    ///   - password: from ``password(environment:passwordFile:setting:)``.
    ///   - timeout: how long connecting may take.
    public func clientConfiguration(password: String?, timeout: Duration) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = timeout
        return configuration
    }

    /// A single-connection configuration (`PostgresConnection.connect`) for this database.
    /// Unlike the pool, a single connection reports "password authentication failed" at
    /// once instead of retrying until a query times out.
    /// - Throws: when the system's TLS trust store cannot be loaded.
    public func connectionConfiguration(password: String?, timeout: Duration) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .nanoseconds(
            timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        return configuration
    }

    /// A message from a PostgresNIO error: the server's words or the connection problem,
    /// with `password` removed should anything echo it.
    public static func describe(_ error: any Error, password: String?) -> String {
        var text: String
        if let error = error as? PostgresTransactionError {
            // The error that matters is the first one; BEGIN/COMMIT wrappers add nothing.
            if let inner = error.beginError ?? error.closureError ?? error.commitError {
                return describe(inner, password: password)
            }
            text = "the transaction failed"
        } else if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                text = message
                if let detail = error.serverInfo?[.detail] { text += " (\(detail))" }
            } else if let underlying = error.underlying {
                text = connectionProblem(underlying) ?? "\(error.code): \(underlying)"
            } else if error.code == .serverClosedConnection {
                text = "the connection was closed before the server answered"
            } else {
                text = "\(error.code)"
            }
        } else {
            text = "\(error)"
        }
        if let password, !password.isEmpty { text = text.replacingOccurrences(of: password, with: "***") }
        return text
    }

    /// Words for a failed connect (`cannot connect: connection refused`), never a type dump;
    /// nil for anything else.
    private static func connectionProblem(_ error: any Error) -> String? {
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.first {
                return connectionProblem(failure.error) ?? "cannot connect"
            }
            return error.dnsAError != nil || error.dnsAAAAError != nil
                ? "cannot resolve the host name \(error.host)" : "cannot connect"
        }
        if let error = error as? IOError {
            return "cannot connect: " + String(cString: strerror(error.errnoCode)).lowercased()
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return "cannot connect: no answer within the connect timeout"
        }
        return nil
    }
}
