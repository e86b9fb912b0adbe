import Foundation

extension PanelEmulator {
    /// Why no closed port could be found.
    public struct NoClosedPort: Error, CustomStringConvertible {
        public var description: String { "cannot bind a loopback port to find one nothing listens on" }
    }

    /// A loopback port nothing listens on (bound, then closed): where an unreachable panel is,
    /// for tests of refused connections.
    public static func closedPort() throws(NoClosedPort) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw NoClosedPort() }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
