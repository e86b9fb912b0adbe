import Console
import Foundation
import Testing

/// How the console shows and protects its transport: the plain-HTTP warning, HTTPS, and
/// cookies behind a reverse proxy that does TLS.
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

    /// A self-signed certificate and key for 127.0.0.1, made for these tests only
    /// (`openssl req -x509 -newkey ec … -days 36500 -addext subjectAltName=IP:127.0.0.1`).
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    @Test("with tls_cert and tls_key it speaks HTTPS only, its cookie is __Host- and Secure, and it sends HSTS")
    func overTLS() async throws {
        let certificate = Self.fixtures + "/test-console.crt"
        try await ConsoleHarness.with(console: "tls_cert = \"\(certificate)\"\ntls_key = \"\(Self.fixtures)/test-console.key\"") { console in
            // Python's ssl module, verifying the certificate, as the client.
            let program = """
                import http.client, ssl, sys
                context = ssl.create_default_context(cafile=sys.argv[1])
                connection = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[2]), context=context)
                connection.request("GET", "/login")
                response = connection.getresponse()
                print(response.status)
                for name, value in response.getheaders():
                    print(name + ": " + value)
                """
            let output = try Self.python(program, [certificate, String(console.port)])
            let lines = output.split(separator: "\n").map(String.init)
            #expect(lines.first == "200")
            let cookie = try #require(lines.first { $0.hasPrefix("Set-Cookie: ") }, "\(output)")
            #expect(cookie.hasPrefix("Set-Cookie: __Host-nightshift_console="))
            // Hummingbird writes the attributes in no fixed order.
            #expect(Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }) == [
                "Path=/", "Secure", "HttpOnly", "SameSite=Strict",
            ])
            #expect(lines.contains("Strict-Transport-Security: max-age=31536000"))
            // Plain HTTP on the same port gets no page.
            await #expect(throws: (any Error).self) { try await console.http.get("/login") }
        }
    }

    static func python(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", program] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
