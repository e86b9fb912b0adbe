import Console
import Foundation
import Testing

/// How the console shows and protects its transport: the plain-HTTP warning, and cookies
/// behind a reverse proxy that does TLS.
@Suite("The console's transport", .serialized)
struct TransportTests {
    @Test("with insecure_http = true every page says the console is served over plain HTTP")
    func insecureBanner() async throws {
        try await ConsoleHarness.with(console: "insecure_http = true") { console in
            let banner = "id=\"insecure-http\">This console is served over plain HTTP to the network"
            #expect(try await console.http.get("/login").body.contains(banner))
            let vera = try await console.login("vera")
            for path in ["/jobs", "/runs", "/panel", "/audit", "/audit/console", "/runs/none"] {
                #expect(try await console.http.get(path, cookie: vera.cookie).body.contains(banner), "\(path)")
            }
        }
    }

    @Test("without it no page carries the warning")
    func noBanner() async throws {
        try await ConsoleHarness.with { console in
            let page = try await console.http.get("/login").body
            #expect(!page.contains("insecure-http"))
        }
    }

    @Test("behind a TLS proxy (public_origin https) the cookie is __Host- and Secure, and the proxy's origin is accepted")
    func behindProxy() async throws {
        try await ConsoleHarness.with(console: "public_origin = \"https://console.example.test\"") { console in
            let host = ("Host", "console.example.test")
            let page = try await console.http.send("GET", "/login", headers: [host])
            #expect(page.status == 200)
            let cookie = try #require(page.cookies.first)
            #expect(cookie.hasPrefix("__Host-nightshift_console="))
            #expect(Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }) == [
                "Path=/", "Secure", "HttpOnly", "SameSite=Strict",
            ])
            let id = try #require(page.cookie("__Host-nightshift_console"))
            let csrf = try #require(ConsoleHarness.csrf(in: page.body))
            let login = try await console.http.post(
                "/login", form: [("csrf", csrf), ("name", "otto"), ("password", "password-of-otto")],
                cookie: "__Host-nightshift_console=\(id)", headers: [host, ("Origin", "https://console.example.test")])
            #expect(login.status == 303)
            #expect(login.cookie("__Host-nightshift_console") != nil)
        }
    }
}
