import Console
import Foundation
import Scheduler
import RunRecords
import Testing

/// Hostile requests against a real console on 127.0.0.1, each with its exact outcome
/// (docs/console.md lists them). The requests go out byte for byte as written here.
@Suite("The console refuses hostile requests", .serialized)
struct HostileRequestTests {
    static let refusedCSRF = "Refused: the form&#39;s security token is missing or wrong. Reload the page and try again."

    @Test(
        "every page without a session redirects to the login page, keeping where it was going",
        arguments: [
            "/", "/jobs", "/jobs/history?job=nightly", "/runs", "/runs?status=failed", "/runs/r1", "/panel", "/audit",
            "/audit?reseller=x", "/audit.csv", "/audit/console", "/plans", "/plans?state=waiting", "/plans/p-1", "/no-such-page",
        ])
    func pagesNeedASession(path: String) async throws {
        try await ConsoleHarness.with { console in
            let reply = try await console.http.get(path)
            #expect(reply.status == 303)
            #expect(reply.header("Location") == "/login?next=" + RawHTTP.encode(path))
            #expect(reply.body.isEmpty)
        }
    }

    @Test(
        "every action without a session is refused with 403 and recorded, and nothing changes",
        arguments: ["/jobs/trigger", "/jobs/pause", "/jobs/resume", "/plans/approve", "/plans/reject", "/logout", "/runs"])
    func actionsNeedASession(path: String) async throws {
        try await ConsoleHarness.with { console in
            let reply = try await console.http.post(path, form: [("job", "nightly"), ("csrf", "anything")])
            #expect(reply.status == 403)
            #expect(reply.body.contains("Log in first: this console answers only requests from a logged-in session."))
            #expect(try await console.triggers("nightly") == 0)
            #expect(try await console.store.pausedOverrides().isEmpty)
            let recorded = try console.actions().first
            #expect(recorded?.user == "-" && recorded?.action == "refused" && recorded?.target == path)
            #expect(recorded?.detail == "no session")
        }
    }

    @Test("a forged CSRF token is refused with 403, recorded, and nothing is triggered")
    func forgedToken() async throws {
        try await ConsoleHarness.with { console in
            let otto = try await console.login("otto")
            let reply = try await console.http.post(
                "/jobs/trigger", form: [("csrf", "forged-\(otto.csrf.dropFirst(7))"), ("job", "nightly")], cookie: otto.cookie)
            #expect(reply.status == 403)
            #expect(reply.body.contains(Self.refusedCSRF))
            #expect(try await console.triggers("nightly") == 0)
            let recorded = try console.actions().first
            #expect(recorded?.user == "otto" && recorded?.action == "refused" && recorded?.detail == "missing or wrong CSRF token")
        }
    }

    @Test("a form without its CSRF token, or with it twice, is refused with 403")
    func missingOrDoubledToken() async throws {
        try await ConsoleHarness.with { console in
            let otto = try await console.login("otto")
            let missing = try await console.http.post("/jobs/pause", form: [("job", "nightly")], cookie: otto.cookie)
            #expect(missing.status == 403 && missing.body.contains(Self.refusedCSRF))
            let doubled = try await console.http.post(
                "/jobs/pause", form: [("csrf", otto.csrf), ("csrf", "other"), ("job", "nightly")], cookie: otto.cookie)
            #expect(doubled.status == 403 && doubled.body.contains(Self.refusedCSRF))
            #expect(try await console.store.pausedOverrides().isEmpty)
        }
    }

    @Test("another session's CSRF token does not work with this session's cookie")
    func tokenOfAnotherSession() async throws {
        try await ConsoleHarness.with { console in
            let otto = try await console.login("otto")
            let ada = try await console.login("ada")
            let reply = try await console.http.post("/jobs/trigger", form: [("csrf", ada.csrf), ("job", "nightly")], cookie: otto.cookie)
            #expect(reply.status == 403 && reply.body.contains(Self.refusedCSRF))
            #expect(try await console.triggers("nightly") == 0)
        }
    }

    @Test(
        "a cross-origin POST is refused with 403 even with a valid token",
        arguments: [
            ("Origin", "http://evil.example", "Origin: http://evil.example"),
            ("Origin", "null", "Origin: null"),
            ("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Site: cross-site"),
            ("Sec-Fetch-Site", "same-site", "Sec-Fetch-Site: same-site"),
        ])
    func crossOrigin(header: String, value: String, named: String) async throws {
        try await ConsoleHarness.with { console in
            let otto = try await console.login("otto")
            let reply = try await console.http.post(
                "/jobs/trigger", form: [("csrf", otto.csrf), ("job", "nightly")], cookie: otto.cookie, headers: [(header, value)])
            #expect(reply.status == 403)
            #expect(reply.body.contains("Refused: this form was sent from another site (\(named)). Use the console&#39;s own pages."))
            #expect(try await console.triggers("nightly") == 0)
        }
    }

    @Test("the console's own origin is accepted")
    func sameOrigin() async throws {
        try await ConsoleHarness.with { console in
            let otto = try await console.login("otto")
            let reply = try await console.http.post(
                "/jobs/trigger", form: [("csrf", otto.csrf), ("job", "nightly")], cookie: otto.cookie,
                headers: [("Origin", "http://127.0.0.1:\(console.port)"), ("Sec-Fetch-Site", "same-origin")])
            #expect(reply.status == 303 && reply.header("Location") == "/jobs")
            #expect(try await console.triggers("nightly") == 1)
        }
    }

    @Test("a login posted without the login form's session is refused (login CSRF)")
    func loginWithoutForm() async throws {
        try await ConsoleHarness.with { console in
            let reply = try await console.http.post("/login", form: [("name", "ada"), ("password", "password-of-ada")])
            #expect(reply.status == 403)
            #expect(reply.body.contains("The login form has expired or did not come from this console; reload the page and log in again."))
            #expect(reply.cookie("nightshift_console") == nil)
            let form = try await console.loginForm()
            let forged = try await console.http.post(
                "/login", form: [("csrf", "x"), ("name", "ada"), ("password", "password-of-ada")], cookie: form.cookie)
            #expect(forged.status == 403 && forged.cookie("nightshift_console") == nil)
        }
    }

    @Test("session fixation: the id a browser had before login is worth nothing after it")
    func sessionFixation() async throws {
        try await ConsoleHarness.with { console in
            let planted = try await console.loginForm()
            let reply = try await console.http.post(
                "/login", form: [("csrf", planted.csrf), ("name", "ada"), ("password", "password-of-ada")], cookie: planted.cookie)
            #expect(reply.status == 303)
            let fresh = try #require(reply.cookie("nightshift_console"))
            #expect("nightshift_console=\(fresh)" != planted.cookie)
            let withPlanted = try await console.http.get("/jobs", cookie: planted.cookie)
            #expect(withPlanted.status == 303 && withPlanted.header("Location") == "/login?next=%2Fjobs")
            #expect(try await console.http.get("/jobs", cookie: "nightshift_console=\(fresh)").status == 200)
        }
    }

    @Test("a session id the client made up is never adopted")
    func madeUpSession() async throws {
        try await ConsoleHarness.with { console in
            let made = "nightshift_console=attacker-chosen-id-0000000000000000000000"
            #expect(try await console.http.get("/jobs", cookie: made).status == 303)
            let page = try await console.http.get("/login", cookie: made)
            let issued = try #require(page.cookie("nightshift_console"))
            #expect(issued != "attacker-chosen-id-0000000000000000000000")
        }
    }

    @Test("the session cookie is HttpOnly, SameSite=Strict, path /, and not Secure over plain HTTP")
    func cookieAttributes() async throws {
        try await ConsoleHarness.with { console in
            let form = try await console.loginForm()
            let reply = try await console.http.post(
                "/login", form: [("csrf", form.csrf), ("name", "vera"), ("password", "password-of-vera")], cookie: form.cookie)
            let cookie = try #require(reply.cookies.first { $0.hasPrefix("nightshift_console=") })
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(attributes == ["Path=/", "HttpOnly", "SameSite=Strict"])
        }
    }

    @Test("a cookie copied before logout is refused after it")
    func stolenCookieAfterLogout() async throws {
        try await ConsoleHarness.with { console in
            let otto = try await console.login("otto")
            let out = try await console.http.post("/logout", form: [("csrf", otto.csrf)], cookie: otto.cookie)
            #expect(out.status == 303 && out.header("Location") == "/login")
            #expect(out.cookies.contains { $0.hasPrefix("nightshift_console=;") && $0.contains("Max-Age=0") })
            #expect(try await console.http.get("/jobs", cookie: otto.cookie).status == 303)
            let replay = try await console.http.post("/jobs/trigger", form: [("csrf", otto.csrf), ("job", "nightly")], cookie: otto.cookie)
            #expect(replay.status == 403)
            #expect(try await console.triggers("nightly") == 0)
            #expect(try console.actions().map(\.action).contains("logout"))
        }
    }

    @Test("a session idle longer than session_idle (30 minutes) ends")
    func idleExpiry() async throws {
        try await ConsoleHarness.with { console in
            let vera = try await console.login("vera")
            console.clock.advance(29 * 60)
            #expect(try await console.http.get("/jobs", cookie: vera.cookie).status == 200)
            console.clock.advance(30 * 60 + 1)
            let reply = try await console.http.get("/runs", cookie: vera.cookie)
            #expect(reply.status == 303 && reply.header("Location") == "/login?next=%2Fruns")
        }
    }

    @Test("brute force on one name: after 5 failures even the right password is refused for 15 minutes")
    func throttlePerUser() async throws {
        try await ConsoleHarness.with { console in
            for _ in 0..<5 {
                let form = try await console.loginForm()
                let wrong = try await console.http.post(
                    "/login", form: [("csrf", form.csrf), ("name", "ada"), ("password", "guess-guess-guess")], cookie: form.cookie)
                #expect(wrong.status == 401 && wrong.body.contains("Wrong name or password."))
            }
            let form = try await console.loginForm()
            let locked = try await console.http.post(
                "/login", form: [("csrf", form.csrf), ("name", "ada"), ("password", "password-of-ada")], cookie: form.cookie)
            #expect(locked.status == 429)
            #expect(locked.header("Retry-After") == "900")
            #expect(locked.body.contains("Too many failed logins for this name; try again in 15 minutes."))
            #expect(locked.cookie("nightshift_console") == nil)
            // Others are not locked out by it.
            _ = try await console.login("otto")
            console.clock.advance(15 * 60)
            _ = try await console.login("ada")
            let recorded = try console.actions().map(\.action)
            #expect(recorded.filter { $0 == "login failed" }.count == 5 && recorded.contains("login throttled"))
        }
    }

    @Test("brute force from one address: after 20 failures over many names the address is refused")
    func throttlePerAddress() async throws {
        try await ConsoleHarness.with { console in
            for index in 0..<20 {
                let form = try await console.loginForm()
                let wrong = try await console.http.post(
                    "/login", form: [("csrf", form.csrf), ("name", "user\(index)"), ("password", "guess-guess-guess")],
                    cookie: form.cookie)
                #expect(wrong.status == 401)
            }
            let form = try await console.loginForm()
            let locked = try await console.http.post(
                "/login", form: [("csrf", form.csrf), ("name", "otto"), ("password", "password-of-otto")], cookie: form.cookie)
            #expect(locked.status == 429)
            #expect(locked.body.contains("Too many failed logins for this address; try again in 15 minutes."))
        }
    }

    @Test("role escalation through a crafted form: a viewer's POST with role=admin is refused")
    func roleEscalation() async throws {
        try await ConsoleHarness.with { console in
            let vera = try await console.login("vera")
            for path in ["/jobs/trigger", "/jobs/pause", "/jobs/resume"] {
                let reply = try await console.http.post(
                    path, form: [("csrf", vera.csrf), ("job", "nightly"), ("role", "admin"), ("user", "ada")], cookie: vera.cookie)
                #expect(reply.status == 403)
                #expect(reply.body.contains("Your role (viewer) may not run, pause or resume jobs; an operator, approver or admin can."))
            }
            #expect(try await console.triggers("nightly") == 0)
            #expect(try await console.store.pausedOverrides().isEmpty)
            let recorded = try console.actions().prefix(3)
            #expect(recorded.allSatisfy { $0.user == "vera" && $0.outcome == "refused" && $0.detail == "role viewer may not \($0.action)" })
        }
    }

    @Test("role escalation at login: a role field in the login form is ignored")
    func roleAtLogin() async throws {
        try await ConsoleHarness.with { console in
            let form = try await console.loginForm()
            let reply = try await console.http.post(
                "/login", form: [("csrf", form.csrf), ("name", "vera"), ("password", "password-of-vera"), ("role", "admin")],
                cookie: form.cookie)
            let cookie = "nightshift_console=\(try #require(reply.cookie("nightshift_console")))"
            let jobs = try await console.http.get("/jobs", cookie: cookie)
            #expect(jobs.body.contains("vera (viewer)"))
            #expect(!jobs.body.contains("/jobs/trigger"))
        }
    }

    @Test("a viewer's pages carry no action button; an operator's do")
    func viewerSeesNoActions() async throws {
        try await ConsoleHarness.with { console in
            let vera = try await console.login("vera")
            let viewer = try await console.http.get("/jobs", cookie: vera.cookie).body
            #expect(!viewer.contains("<button") || viewer.components(separatedBy: "<button").count == 2)  // Log out only
            #expect(!viewer.contains("/jobs/trigger") && !viewer.contains("/jobs/pause") && !viewer.contains("/jobs/resume"))
            let otto = try await console.login("otto")
            let control = try await console.http.get("/jobs", cookie: otto.cookie).body
            #expect(control.contains("Run now") && control.contains("action=\"/jobs/pause\""))
        }
    }

    @Test(
        "path traversal under the assets path finds nothing",
        arguments: [
            "/assets/../../etc/passwd", "/assets/..%2f..%2fetc%2fpasswd", "/assets/%2e%2e/%2e%2e/etc/passwd",
            "/assets/..\\..\\etc\\passwd", "/assets/console.css/../../audit.sqlite", "/assets/", "/assets/%00console.css",
            "/assets//etc/passwd",
        ])
    func assetTraversal(path: String) async throws {
        try await ConsoleHarness.with { console in
            let reply = try await console.http.get(path)
            #expect(reply.status == 404)
            #expect(reply.body.contains("The asset does not exist."))
            #expect(!reply.body.contains("root:"))
        }
    }

    @Test("the assets themselves are served to anyone, with their types")
    func assets() async throws {
        try await ConsoleHarness.with { console in
            let css = try await console.http.get("/assets/console.css")
            #expect(css.status == 200 && css.header("Content-Type") == "text/css; charset=utf-8")
            let js = try await console.http.get("/assets/console.js")
            #expect(js.status == 200 && js.header("Content-Type") == "text/javascript; charset=utf-8")
        }
    }

    @Test("a query string over 4 KiB is refused with 414; a 100 KiB one never reaches the console")
    func hugeQuery() async throws {
        try await ConsoleHarness.with { console in
            let vera = try await console.login("vera")
            let long = try await console.http.get("/runs?host=" + String(repeating: "a", count: 8 * 1024), cookie: vera.cookie)
            #expect(long.status == 414)
            #expect(long.body.contains("The address is longer than 4096 bytes; use shorter search terms."))
            let huge = try await console.http.get("/runs?host=" + String(repeating: "a", count: 100 * 1024), cookie: vera.cookie)
            #expect(huge.status == 400)
            #expect(huge.body.isEmpty)
        }
    }

    @Test("a Host that is not the console's (DNS rebinding) is refused with 421")
    func foreignHost() async throws {
        try await ConsoleHarness.with { console in
            let reply = try await console.http.send("GET", "/login", headers: [("Host", "evil.example:\(console.port)")])
            #expect(reply.status == 421)
            #expect(reply.body.contains("This console does not answer to that host name"))
            #expect(reply.cookie("nightshift_console") == nil)
            #expect(try await console.http.send("GET", "/login", headers: [("Host", "localhost:\(console.port)")]).status == 200)
        }
    }

    @Test("after login the console goes only to its own pages, never to another site", arguments: [
        ("//evil.example/x", "/jobs"), ("/\\evil.example", "/jobs"), ("https://evil.example", "/jobs"),
        ("/runs?status=failed", "/runs?status=failed"), ("/logout", "/jobs"),
    ])
    func openRedirect(next: String, lands: String) async throws {
        try await ConsoleHarness.with { console in
            let form = try await console.loginForm()
            let reply = try await console.http.post(
                "/login", form: [("csrf", form.csrf), ("name", "vera"), ("password", "password-of-vera"), ("next", next)],
                cookie: form.cookie)
            #expect(reply.status == 303 && reply.header("Location") == lands)
        }
    }

    @Test("a POST that is not a form is refused with 415; a form over 16 KiB with 413")
    func postBodies() async throws {
        try await ConsoleHarness.with { console in
            let otto = try await console.login("otto")
            let json = try await console.http.send(
                "POST", "/jobs/trigger", headers: [("Content-Type", "application/json"), ("Cookie", otto.cookie)],
                body: "{\"csrf\":\"\(otto.csrf)\",\"job\":\"nightly\"}")
            #expect(json.status == 415)
            let big = try await console.http.post(
                "/jobs/trigger", form: [("csrf", otto.csrf), ("job", "nightly"), ("pad", String(repeating: "x", count: 20_000))],
                cookie: otto.cookie)
            #expect(big.status == 413)
            #expect(try await console.triggers("nightly") == 0)
        }
    }

    @Test("an action asked with GET is refused with 405 and says which method it takes")
    func wrongMethod() async throws {
        try await ConsoleHarness.with { console in
            let otto = try await console.login("otto")
            let reply = try await console.http.get("/jobs/trigger?job=nightly&csrf=\(otto.csrf)", cookie: otto.cookie)
            #expect(reply.status == 405 && reply.header("Allow") == "POST")
            #expect(try await console.triggers("nightly") == 0)
        }
    }

    @Test("a user removed from the users file loses their session at the next request")
    func removedUser() async throws {
        try await ConsoleHarness.with { console in
            let otto = try await console.login("otto")
            let kept = try ConsoleUsers.load(path: console.usersFile).filter { $0.name != "otto" }
            var text = ""
            for user in kept {
                text += "[[users]]\nname = \"\(user.name)\"\nrole = \"\(user.role.rawValue)\"\npassword_hash = \"\(user.passwordHash)\"\n"
            }
            try text.write(toFile: console.usersFile, atomically: true, encoding: .utf8)
            #expect(try await console.http.get("/jobs", cookie: otto.cookie).status == 303)
            let replay = try await console.http.post("/jobs/trigger", form: [("csrf", otto.csrf), ("job", "nightly")], cookie: otto.cookie)
            #expect(replay.status == 403)
        }
    }

    @Test("bcrypt's 72-byte limit: a longer password whose first 72 bytes are right is refused")
    func longPassword() async throws {
        try await ConsoleHarness.with { console in
            let password = String(repeating: "p", count: 72)
            try ConsoleUsers.add(name: "long", role: .viewer, password: password, path: console.usersFile, cost: 4)
            let form = try await console.loginForm()
            let reply = try await console.http.post(
                "/login", form: [("csrf", form.csrf), ("name", "long"), ("password", password + "-and-more")], cookie: form.cookie)
            #expect(reply.status == 401)
            _ = try await console.login("long", password: password)
        }
    }

    @Test("every answer carries the security headers, errors and assets included", arguments: [
        "/login", "/assets/console.css", "/assets/nope", "/jobs",
    ])
    func securityHeaders(path: String) async throws {
        try await ConsoleHarness.with { console in
            let reply = try await console.http.get(path)
            #expect(
                reply.header("Content-Security-Policy")
                    == "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
            )
            #expect(reply.header("X-Content-Type-Options") == "nosniff")
            #expect(reply.header("X-Frame-Options") == "DENY")
            #expect(reply.header("Referrer-Policy") == "same-origin")
            #expect(reply.header("Strict-Transport-Security") == nil)
        }
    }

    @Test("an action on a job the jobs file does not have is 404 and recorded as failed")
    func unknownJob() async throws {
        try await ConsoleHarness.with { console in
            let otto = try await console.login("otto")
            let reply = try await console.http.post("/jobs/pause", form: [("csrf", otto.csrf), ("job", "weekly")], cookie: otto.cookie)
            #expect(reply.status == 404 && reply.body.contains("The job &#39;weekly&#39; does not exist."))
            let recorded = try console.actions().first
            #expect(recorded?.action == "pause" && recorded?.outcome == "failed" && recorded?.detail == "no such job")
        }
    }
}
