import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NightshiftCore
import Scheduler

/// Answers every console request: the checks every request passes, then the page or action.
///
/// In order, for every request:
/// 1. a request target longer than 4 KiB is refused (414);
/// 2. a `Host` that is not this console's is refused (421): a page fetched through another
///    name (DNS rebinding) gets nothing;
/// 3. assets are served by exact name; everything else but the login page needs a session
///    with a user: a GET without one goes to the login page, any other request is refused;
/// 4. a POST must come from this console's own origin (`Origin`, `Sec-Fetch-Site`), be a
///    form of at most 16 KiB, and carry the session's CSRF token;
/// 5. every answer carries the security headers (`secure(_:)`), and every page is scrubbed
///    of the secrets the console was told about.
public struct ConsoleResponder: HTTPResponder {
    public typealias Context = ConsoleContext

    let settings: ConsoleSettings
    let sources: ConsoleSources
    let users: UserDirectory
    let passwords: PasswordCheck
    let sessions: SessionStore
    let throttle: LoginThrottle
    let clock: any WallClock
    let logger: Logger

    /// The longest request target (path and query) taken.
    static let maximumTarget = 4096
    /// The largest form body taken.
    static let maximumForm = 16 * 1024

    /// Creates the responder.
    public init(
        settings: ConsoleSettings, sources: ConsoleSources, users: UserDirectory, passwords: PasswordCheck,
        sessions: SessionStore, throttle: LoginThrottle, clock: any WallClock, logger: Logger
    ) {
        self.settings = settings
        self.sources = sources
        self.users = users
        self.passwords = passwords
        self.sessions = sessions
        self.throttle = throttle
        self.clock = clock
        self.logger = logger
    }

    /// The session cookie's name: `__Host-` prefixed when served over HTTPS, which binds it
    /// to this host, path `/` and Secure.
    var cookieName: String { secureCookies ? "__Host-nightshift_console" : "nightshift_console" }

    /// Whether cookies are marked Secure: over TLS, or behind a proxy whose public origin is https.
    var secureCookies: Bool { settings.usesTLS || (settings.publicOrigin?.hasPrefix("https://") ?? false) }

    public func respond(to request: Request, context: ConsoleContext) async throws -> Response {
        var context = context
        var response: Response
        do {
            response = try await route(request, context: &context)
        } catch let failure as ConsoleFailure {
            response = page(failure, request: request, session: context.session)
        } catch {
            logger.error("console request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            response = page(
                ConsoleFailure(
                    status: .internalServerError,
                    message: "The console could not read what this page needs; the reason is in the console's log on the server."),
                request: request, session: context.session)
        }
        secure(&response)
        return response
    }

    // MARK: The checks

    private func route(_ request: Request, context: inout ConsoleContext) async throws -> Response {
        guard request.uri.string.utf8.count <= Self.maximumTarget else {
            throw ConsoleFailure(
                status: .uriTooLong,
                message: "The address is longer than \(Self.maximumTarget) bytes; use shorter search terms.")
        }
        try checkHost(request)
        let path = request.uri.path
        if path.hasPrefix("/assets/") { return try asset(request, name: String(path.dropFirst("/assets/".count))) }

        context.session = try await liveSession(request)
        if path == "/login" {
            switch request.method {
            case .get: return try await loginPage(request, context: context)
            case .post: return try await login(request, context: &context)
            default: throw ConsoleFailure.methodNotAllowed("GET, POST")
            }
        }
        guard let session = context.session, let user = session.user else {
            guard request.method == .get else {
                await record(
                    user: "-", address: context.address, action: ConsoleAction.refused, target: path, outcome: "refused",
                    detail: "no session")
                throw ConsoleFailure.forbidden("Log in first: this console answers only requests from a logged-in session.")
            }
            return redirect(to: "/login?next=" + Self.queryEncoded(Self.localTarget(request.uri.string) ?? "/jobs"))
        }
        if request.method == .post {
            try await acceptForm(request, context: &context, user: user)
        }
        return try await dispatch(request, context: context, session: session)
    }

    /// The pages and actions, once the request passed the checks.
    private func dispatch(_ request: Request, context: ConsoleContext, session: ConsoleSession) async throws -> Response {
        let path = request.uri.path
        let query = FormFields(request.uri.query)
        let method = request.method
        func only(_ allowed: HTTPRequest.Method) throws {
            guard method == allowed else { throw ConsoleFailure.methodNotAllowed(allowed.rawValue) }
        }
        switch path {
        case "/", "":
            try only(.get)
            return redirect(to: "/jobs")
        case "/logout":
            try only(.post)
            return await logout(context: context, session: session)
        case "/jobs":
            try only(.get)
            return try await jobsPage(request, session: session)
        case "/jobs/history":
            try only(.get)
            return try await jobPage(request, query: query, session: session)
        case "/jobs/trigger", "/jobs/pause", "/jobs/resume":
            try only(.post)
            let action = JobControl.Action(rawValue: String(path.dropFirst("/jobs/".count)))!
            return try await control(action, context: context, session: session)
        case "/runs":
            try only(.get)
            return try await runsPage(request, query: query, session: session)
        case "/plans":
            try only(.get)
            return try await plansPage(request, query: query, session: session)
        case "/plans/approve", "/plans/reject":
            try only(.post)
            return try await decide(approve: path == "/plans/approve", context: context, session: session)
        case "/panel":
            try only(.get)
            return try await panelPage(request, query: query, session: session)
        case "/audit":
            try only(.get)
            return try await auditPage(request, query: query, session: session)
        case "/audit.csv":
            try only(.get)
            return try await auditCSV(query: query)
        case "/audit/console":
            try only(.get)
            return try await actionsPage(request, query: query, session: session)
        default:
            if path.hasPrefix("/runs/") {
                try only(.get)
                let id = String(path.dropFirst("/runs/".count)).removingPercentEncoding ?? ""
                return try await runPage(request, id: id, query: query, session: session)
            }
            if path.hasPrefix("/plans/") {
                try only(.get)
                let id = String(path.dropFirst("/plans/".count)).removingPercentEncoding ?? ""
                return try await planPage(request, id: id, session: session)
            }
            throw ConsoleFailure.notFound("The page \(path)")
        }
    }

    /// Refuses a request whose `Host` names something other than this console.
    private func checkHost(_ request: Request) throws {
        let listen = settings.listen.host.lowercased()
        let wildcard = listen == "0.0.0.0" || listen == "::" || listen == "[::]"
        guard !wildcard || settings.publicOrigin != nil else { return }
        var names: Set<String> = [listen]
        if ConsoleSettings.isLoopback(listen) { names.formUnion(["127.0.0.1", "localhost", "::1"]) }
        if let origin = settings.publicOrigin, let host = URLComponents(string: origin)?.host { names.insert(host.lowercased()) }
        let authority = request.head.authority ?? ""
        guard names.contains(Self.hostName(authority)) else {
            throw ConsoleFailure(
                status: .misdirectedRequest,
                message: "This console does not answer to that host name; open it as http\(settings.usesTLS ? "s" : "")://\(settings.listen) or through its public_origin.")
        }
    }

    /// The session the cookie names, with its user's role as the users file says now; a
    /// session whose user was removed ends.
    private func liveSession(_ request: Request) async throws -> ConsoleSession? {
        guard var session = await sessions.session(request.cookies[cookieName]?.value) else { return nil }
        guard let name = session.user else { return session }
        guard let user = await users.user(name) else {
            await sessions.end(session.id)
            return nil
        }
        session.role = user.role
        return session
    }

    /// Checks a POST: same origin, a form body, the session's CSRF token.
    private func acceptForm(_ request: Request, context: inout ConsoleContext, user: String) async throws {
        let session = context.session!
        func refuse(_ detail: String, _ message: String) async -> ConsoleFailure {
            await record(
                user: user, address: context.address, action: ConsoleAction.refused, target: request.uri.path,
                outcome: "refused", detail: detail)
            return ConsoleFailure.forbidden(message)
        }
        if let problem = crossOrigin(request) {
            throw await refuse(problem, "Refused: this form was sent from another site (\(problem)). Use the console's own pages.")
        }
        context.form = try await form(request)
        guard let token = context.form["csrf"], Self.sameBytes(token, session.csrf) else {
            throw await refuse(
                "missing or wrong CSRF token",
                "Refused: the form's security token is missing or wrong. Reload the page and try again.")
        }
    }

    /// Why a request does not come from this console's own pages, or nil when it does.
    func crossOrigin(_ request: Request) -> String? {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], !["same-origin", "none"].contains(site) {
            return "Sec-Fetch-Site: \(site)"
        }
        guard let origin = request.headers[HTTPField.Name("Origin")!] else { return nil }
        let authority = request.head.authority ?? ""
        let own = "http\(settings.usesTLS ? "s" : "")://\(authority)"
        guard origin.lowercased() == own.lowercased() || origin == settings.publicOrigin else {
            return "Origin: \(origin)"
        }
        return nil
    }

    /// The form in a POST's body.
    func form(_ request: Request) async throws -> FormFields {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw ConsoleFailure(
                status: .unsupportedMediaType, message: "The console takes forms (application/x-www-form-urlencoded) only.")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maximumForm)
        } catch {
            throw ConsoleFailure(status: .contentTooLarge, message: "The form is larger than \(Self.maximumForm / 1024) KiB.")
        }
        return FormFields(String(buffer: body))
    }

    // MARK: Answers

    /// A rendered page: `template` with `view`, scrubbed of the secrets.
    func html(_ template: String, _ view: Any, status: HTTPResponse.Status = .ok) -> Response {
        let text = ConsoleTemplates.library.render(view, withTemplate: template) ?? ""
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: scrub(text))))
    }

    /// The error page for `failure`.
    func page(_ failure: ConsoleFailure, request: Request, session: ConsoleSession?) -> Response {
        let loggedIn = session?.isLoggedIn == true ? session : nil
        let view = ErrorView(
            frame: PageFrame(title: failure.status.reasonPhrase, path: request.uri.path, session: loggedIn, insecure: insecure),
            heading: "\(failure.status.code) \(failure.status.reasonPhrase)", message: failure.message)
        var response = html("error", view, status: failure.status)
        response.headers.append(contentsOf: failure.headers)
        return response
    }

    /// A 303 to `location` (a path of this console).
    func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .contentType: "text/plain; charset=utf-8"])
    }

    /// Whether pages carry the plain-HTTP warning.
    var insecure: Bool { settings.insecureHTTP && !settings.usesTLS }

    /// The frame of a page at `path` for `session`, with its one-time message taken.
    func frame(_ title: String, path: String, session: ConsoleSession) async -> PageFrame {
        PageFrame(title: title, path: path, session: session, insecure: insecure, flash: await sessions.takeFlash(session.id))
    }

    /// Adds the headers every answer carries.
    func secure(_ response: inout Response) {
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        if settings.usesTLS { response.headers[.strictTransportSecurity] = "max-age=31536000" }
    }

    /// `text` with every secret the console knows replaced.
    func scrub(_ text: String) -> String {
        var text = text
        for secret in sources.secrets where secret.count >= 6 && text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: "[redacted]")
        }
        return text
    }

    /// Refuses `action` on `target` (403, recorded) unless the session's role allows
    /// `permission`; `words` say what the role may not do and who can.
    func require(
        _ permission: ConsoleRole.Permission, session: ConsoleSession, context: ConsoleContext, action: String,
        target: String, words: String
    ) async throws {
        let role = session.role?.rawValue ?? "none"
        guard session.role?.allows(permission) != true else { return }
        await record(
            user: session.user ?? "-", address: context.address, action: action, target: target, outcome: "refused",
            detail: "role \(role) may not \(action)")
        throw ConsoleFailure.forbidden("Your role (\(role)) may not \(words).")
    }

    /// Records a console action; a failure to record is logged, never shown.
    func record(
        user: String, address: String, action: String, target: String = "", outcome: String, detail: String? = nil
    ) async {
        let time = ConsoleTime.iso(clock.now())
        do {
            try await sources.records.record(
                ConsoleActionEntry(
                    time: time, user: user, address: address, action: action, target: target, outcome: outcome,
                    detail: detail))
        } catch {
            logger.error("cannot record a console action in the audit log", metadata: ["action": "\(action)", "error": "\(error)"])
        }
    }

    private func asset(_ request: Request, name: String) throws -> Response {
        guard request.method == .get else { throw ConsoleFailure.methodNotAllowed("GET") }
        guard let asset = ConsoleAssets.all[name] else { throw ConsoleFailure.notFound("The asset") }
        return Response(
            status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "private, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(string: asset.text)))
    }

    // MARK: Helpers

    /// Compares two tokens in time that depends only on their lengths.
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// `target` when it is a path of this console to come back to after login, else nil:
    /// never another site (`//evil`, `/\evil`), never the login or logout pages.
    static func localTarget(_ target: String?) -> String? {
        guard let target, target.hasPrefix("/"), !target.hasPrefix("//"), !target.contains("\\"), target.utf8.count <= 512,
            !target.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
            !target.hasPrefix("/login"), !target.hasPrefix("/logout")
        else { return nil }
        return target
    }

    /// `text` percent-encoded for a query value.
    static func queryEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// `path?name=value&…` for the non-empty values, in the order given.
    static func link(_ path: String, _ fields: [(String, String?)]) -> String {
        let parts = fields.compactMap { name, value in
            value.flatMap { $0.isEmpty ? nil : "\(name)=\(queryEncoded($0))" }
        }
        return parts.isEmpty ? path : path + "?" + parts.joined(separator: "&")
    }

    /// The host name in a `Host` value: `[::1]:8080` is `::1`, `Example.com:80` is `example.com`.
    static func hostName(_ authority: String) -> String {
        var host = Substring(authority.lowercased())
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return String(host) }
            return String(host[host.index(after: host.startIndex)..<close])
        }
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        return String(host)
    }
}
