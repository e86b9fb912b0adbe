import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking HTTP/1.1 client on one kept-alive connection to 127.0.0.1, so a measured
/// request is the request, not a TCP handshake. It reads `Content-Length` and chunked bodies.
/// Used by one thread at a time (hence `@unchecked Sendable`).
final class KeepAliveClient: @unchecked Sendable {
    private let socket: Int32
    private let port: Int
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        self.port = port
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ConsoleBenchmarks.BenchFailure(description: "cannot connect to 127.0.0.1:\(port)") }
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    func close() { Glibc.close(socket) }

    /// Logs in through the form; returns the session's `Cookie` header value.
    func login(name: String, password: String) throws -> String {
        let form = try exchange("GET /login HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        guard let session = form.cookie, let token = form.body.range(of: "name=\"csrf\" value=\"") else {
            throw ConsoleBenchmarks.BenchFailure(description: "no login form")
        }
        let csrf = String(form.body[token.upperBound...].prefix { $0 != "\"" })
        let body = "csrf=\(csrf)&name=\(name)&password=\(password)"
        let reply = try exchange(
            "POST /login HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nCookie: \(session)\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        guard reply.status == 303, let cookie = reply.cookie else {
            throw ConsoleBenchmarks.BenchFailure(description: "login refused: \(reply.status)")
        }
        return cookie
    }

    /// GETs `path` with `cookie`; returns the status once the whole body is read.
    func get(_ path: String, cookie: String) throws -> Int {
        try exchange("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nCookie: \(cookie)\r\n\r\n").status
    }

    private func exchange(_ request: String) throws -> (status: Int, cookie: String?, body: String) {
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw ConsoleBenchmarks.BenchFailure(description: "the console closed the connection") }
            sent += count
        }
        let head = try readUntil(Array("\r\n\r\n".utf8))
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var length: Int?
        var chunked = false
        var cookie: String?
        for line in lines.dropFirst() {
            let lower = line.lowercased()
            if lower.hasPrefix("content-length:") { length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) }
            if lower.hasPrefix("transfer-encoding:") && lower.contains("chunked") { chunked = true }
            if lower.hasPrefix("set-cookie:") {
                cookie = String(line.dropFirst(11).trimmingCharacters(in: .whitespaces).prefix { $0 != ";" })
            }
        }
        var body: [UInt8] = []
        if chunked {
            while true {
                let sizeLine = String(decoding: try readUntil(Array("\r\n".utf8)), as: UTF8.self)
                let size = Int(sizeLine.split(separator: ";")[0], radix: 16) ?? 0
                body += try read(size)
                _ = try read(2)
                if size == 0 { break }
            }
        } else {
            body = try read(length ?? 0)
        }
        return (status, cookie, String(decoding: body, as: UTF8.self))
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw ConsoleBenchmarks.BenchFailure(description: "the console closed the connection") }
        buffer += chunk[..<count]
    }

    private func readUntil(_ marker: [UInt8]) throws -> [UInt8] {
        while true {
            if let range = buffer.firstRange(of: marker) {
                let head = Array(buffer[..<range.lowerBound])
                buffer.removeFirst(range.upperBound)
                return head
            }
            try fill()
        }
    }

    private func read(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let result = Array(buffer[..<count])
        buffer.removeFirst(count)
        return result
    }
}
