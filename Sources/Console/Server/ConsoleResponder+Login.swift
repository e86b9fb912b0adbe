import Hummingbird

extension ConsoleResponder {
    /// GET /login: the form, with a session that only carries its CSRF token (made when the
    /// browser has none). A logged-in user goes to the jobs.
    func loginPage(_ request: Request, context: ConsoleContext) async throws -> Response {
        if context.session?.isLoggedIn == true { return redirect(to: "/jobs") }
        let next = Self.localTarget(FormFields(request.uri.query)["next"]) ?? "/jobs"
        var session = context.session
        let fresh = session == nil
        if fresh { session = await sessions.anonymous() }
        var response = html("login", await loginView(session: session!, next: next))
        if fresh { response.setCookie(sessionCookie(session!.id)) }
        return response
    }

    /// POST /login: checks the form came from this console's login page, then the throttle,
    /// then the password. A success ends the login form's session and starts a new one.
    func login(_ request: Request, context: inout ConsoleContext) async throws -> Response {
        let address = context.address
        if let problem = crossOrigin(request) {
            await record(user: "-", address: address, action: ConsoleAction.refused, target: "/login", outcome: "refused", detail: problem)
            throw ConsoleFailure.forbidden("Refused: this login was sent from another site (\(problem)).")
        }
        guard let session = context.session else {
            throw ConsoleFailure.forbidden("The login form has expired or did not come from this console; reload the page and log in again.")
        }
        let form = try await self.form(request)
        guard let token = form["csrf"], Self.sameBytes(token, session.csrf) else {
            await record(
                user: form.text("name") ?? "-", address: address, action: ConsoleAction.refused, target: "/login",
                outcome: "refused", detail: "missing or wrong CSRF token")
            throw ConsoleFailure.forbidden("The login form has expired or did not come from this console; reload the page and log in again.")
        }
        let name = String((form.text("name") ?? "").prefix(64))
        let next = Self.localTarget(form["next"]) ?? "/jobs"
        if let refusal = await throttle.refusal(user: name, address: address) {
            let minutes = (refusal.retryAfter + 59) / 60
            await record(
                user: name, address: address, action: ConsoleAction.loginThrottled, outcome: "refused",
                detail: "too many failed logins for this \(refusal.scope); retry after \(refusal.retryAfter) s")
            var response = html(
                "login",
                await loginView(
                    session: session, next: next, name: name,
                    problem: "Too many failed logins for this \(refusal.scope == "user" ? "name" : "address"); try again in \(minutes) minute\(minutes == 1 ? "" : "s")."),
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(refusal.retryAfter)
            return response
        }
        let password = form["password"] ?? ""
        guard let user = try await passwords.check(name: name, password: password, among: await users.current()) else {
            await throttle.failed(user: name, address: address)
            await record(user: name, address: address, action: ConsoleAction.loginFailed, outcome: "refused", detail: "wrong name or password")
            return html(
                "login", await loginView(session: session, next: next, name: name, problem: "Wrong name or password."),
                status: .unauthorized)
        }
        await throttle.succeeded(user: user.name)
        let fresh = await sessions.login(replacing: session.id, user: user.name, role: user.role)
        context.session = fresh
        await record(user: user.name, address: address, action: ConsoleAction.login, outcome: "done", detail: "role \(user.role.rawValue)")
        var response = redirect(to: next)
        response.setCookie(sessionCookie(fresh.id))
        return response
    }

    /// POST /logout: ends the session here, so its cookie is worth nothing, and clears it.
    func logout(context: ConsoleContext, session: ConsoleSession) async -> Response {
        await sessions.end(session.id)
        await record(user: session.user ?? "-", address: context.address, action: ConsoleAction.logout, outcome: "done")
        var response = redirect(to: "/login")
        response.setCookie(sessionCookie("", maxAge: 0))
        return response
    }

    /// The session cookie: HttpOnly, SameSite=Strict, path /, Secure over TLS.
    func sessionCookie(_ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: cookieName, value: value, maxAge: maxAge, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    private func loginView(session: ConsoleSession, next: String, name: String = "", problem: String? = nil) async -> LoginView {
        LoginView(
            frame: PageFrame(title: "Log in", path: "/login", session: session, insecure: insecure), problem: problem,
            hasUsers: !(await users.current()).isEmpty, next: next, name: name)
    }
}
