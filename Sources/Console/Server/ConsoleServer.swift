import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Scheduler
import ServiceLifecycle

/// The web console as a `Service`: `nightshift console` runs it alone, `nightshift schedule`
/// beside the daemon when the jobs file has `[console]`.
public struct ConsoleServer: Service {
    /// Why the console cannot start: the message names the setting and what to do.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    private let settings: ConsoleSettings
    private let responder: ConsoleResponder
    private let close: @Sendable () async -> Void
    private let logger: Logger
    private let onRunning: @Sendable (Int) async -> Void

    /// Prepares the console: reads the users file and checks the settings.
    /// - Parameters:
    ///   - clock: the time for sessions, the login throttle and console actions.
    ///   - throttle: the login limits.
    ///   - onRunning: called with the bound port once the console accepts connections.
    /// - Throws: ``Failure`` when the settings may not be served or the users file is broken.
    public init(
        settings: ConsoleSettings, sources: ConsoleSources, clock: any WallClock = SystemClock(),
        throttle: LoginThrottle.Limits = .standard, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(Failure) {
        if let problem = settings.problem { throw Failure(description: "[console] \(problem)") }
        let users: UserDirectory
        do {
            users = try UserDirectory(path: settings.usersFile)
        } catch {
            throw Failure(description: error.description)
        }
        if users.initial.isEmpty {
            logger.warning(
                "the console has no users yet; add one with `nightshift console add-user NAME --role admin`",
                metadata: ["users": "\(settings.usersFile)"])
        }
        self.settings = settings
        self.logger = logger
        close = sources.close
        self.onRunning = onRunning
        responder = ConsoleResponder(
            settings: settings, sources: sources, users: users, passwords: PasswordCheck(users: users.initial),
            sessions: SessionStore(clock: clock, idle: Double(settings.sessionIdle)),
            throttle: LoginThrottle(limits: throttle, clock: clock), clock: clock, logger: logger)
    }

    /// Serves until cancelled or gracefully shut down.
    public func run() async throws {
        let server: HTTPServerBuilder
        if let certificate = settings.tlsCertificate, let key = settings.tlsKey {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
                let configuration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
                server = try .tls(.http1(), tlsConfiguration: configuration)
            } catch {
                throw Failure(
                    description: "[console] tls_cert/tls_key: cannot load \(certificate) and \(key) as PEM: \(error); check the files and their permissions")
            }
        } else {
            server = .http1()
        }
        let (logger, onRunning, settings) = (self.logger, self.onRunning, self.settings)
        let app = Application(
            responder: responder, server: server,
            configuration: .init(address: .hostname(settings.listen.host, port: settings.listen.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let address = MetricsAddress(host: settings.listen.host, port: port)
                logger.info(
                    "console served", metadata: ["url": "http\(settings.usesTLS ? "s" : "")://\(address)/"])
                if settings.insecureHTTP && !settings.usesTLS && !ConsoleSettings.isLoopback(settings.listen.host) {
                    logger.warning("the console is served over plain HTTP to the network (insecure_http = true)")
                }
                await onRunning(port)
            }, logger: logger)
        do {
            try await app.run()
        } catch {
            await close()
            throw Failure(description: "cannot serve the console on \(settings.listen): \(error)")
        }
        await close()
    }
}
