import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A bare HTTP/1.1 client on a socket to 127.0.0.1: the request goes out byte for byte as
/// the test writes it (forged headers, huge targets, crafted forms), one per connection.
struct RawHTTP {
    /// An answer.
    struct Reply: CustomStringConvertible {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: String

        /// The first value of the header `name` (any case).
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        /// Every `Set-Cookie` value.
        var cookies: [String] { headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value) }

        /// The value of the cookie `name` set by this reply, if any.
        func cookie(_ name: String) -> String? {
            for line in cookies where line.hasPrefix(name + "=") {
                return String(line.dropFirst(name.count + 1).prefix { $0 != ";" })
            }
            return nil
        }

        var description: String { "\(status) \(headers.map { "\($0.name): \($0.value)" }) \(body.prefix(300))" }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int

    /// Sends `method target` with `headers` (Host and Connection are added unless given) and
    /// `body`, and reads the whole answer. The socket is used on a thread of its own: a test's
    /// task must not block the threads the console's own tasks need.
    func send(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> Reply {
        var lines = ["\(method) \(target) HTTP/1.1"]
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { lines.append("Host: 127.0.0.1:\(port)") }
        lines.append("Connection: close")
        for (name, value) in headers { lines.append("\(name): \(value)") }
        if let body { lines.append("Content-Length: \(body.utf8.count)") }
        let request = Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")).utf8)
        let port = self.port
        return try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try Self.exchange(request, port: port) }) }.start()
        }
    }

    /// GET with the session cookie.
    func get(_ target: String, cookie: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        try await send("GET", target, headers: (cookie.map { [("Cookie", $0)] } ?? []) + headers)
    }

    /// POST of a form with the session cookie.
    func post(_ target: String, form: [(String, String)], cookie: String? = nil, headers: [(String, String)] = [])
        async throws -> Reply
    {
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(
            "POST", target,
            headers: [("Content-Type", "application/x-www-form-urlencoded")] + (cookie.map { [("Cookie", $0)] } ?? [])
                + headers, body: body)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static func exchange(_ request: [UInt8], port: Int) throws -> Reply {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to 127.0.0.1:\(port): \(errno)") }
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The server may answer and close before it has read everything (a huge target).
            if count <= 0 { break }
            sent += count
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[..<count]
        }
        return try Self.parse(received)
    }

    private static func parse(_ bytes: [UInt8]) throws -> Reply {
        guard let split = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw Failure(description: "no HTTP answer (\(bytes.count) bytes: \(String(decoding: bytes.prefix(200), as: UTF8.self)))")
        }
        let head = String(decoding: bytes[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line \(head[0])") }
        let headers = head.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(bytes[split.upperBound...])
        if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased() == "chunked" }) {
            body = dechunk(body)
        }
        return Reply(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let end = bytes[index...].firstRange(of: Array("\r\n".utf8)) else { break }
            let sizeText = String(decoding: bytes[index..<end.lowerBound], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = end.upperBound
            result += bytes[start..<min(bytes.count, start + size)]
            index = start + size + 2
        }
        return result
    }
}
