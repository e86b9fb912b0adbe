import Foundation
import TestScratch
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `nightshift console` and `console add-user` as a user runs them: exit codes and messages.
@Suite("nightshift console on the command line", .serialized)
struct CommandTests {
    /// A jobs file with one job and, unless `console` is nil, a `[console]` table.
    static func jobsFile(console: String? = nil) throws -> String {
        let folder = try Scratch.folder("console-command")
        try """
            [scheduler]
            state = "state.sqlite"
            \(console.map { "[console]\n\($0)" } ?? "")
            [[jobs]]
            name = "nightly"
            script = "topup.lua"
            schedule = "0 3 * * *"
            """.write(toFile: folder + "/jobs.toml", atomically: true, encoding: .utf8)
        return folder + "/jobs.toml"
    }

    /// Runs the binary with `input` on standard input; its status and standard error.
    static func nightshift(_ arguments: [String], input: String = "") throws -> (status: Int32, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BrowserTests.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["NIGHTSHIFT_STATE_DIR": Scratch.path("state")]) { $1 }
        let stdin = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: error, as: UTF8.self))
    }

    @Test("--listen on a non-loopback address without TLS exits 6 and says the three ways out")
    func nonLoopback() throws {
        let jobs = try Self.jobsFile()
        let result = try Self.nightshift(["console", "--jobs", jobs, "--listen", "0.0.0.0:8080"])
        #expect(result.status == 6)
        #expect(
            result.error.hasPrefix(
                "Error: [console] listen: 0.0.0.0:8080 is not a loopback address, and the console would send passwords"))
        #expect(result.error.contains("set tls_cert and tls_key to serve HTTPS"))
    }

    @Test("a jobs file whose [console] binds a non-loopback address without TLS exits 6 naming the file")
    func nonLoopbackInFile() throws {
        let jobs = try Self.jobsFile(console: "listen = \"0.0.0.0:8080\"")
        let result = try Self.nightshift(["console", "--jobs", jobs])
        #expect(result.status == 6)
        #expect(result.error.hasPrefix("Error: \(jobs): [console]: listen: 0.0.0.0:8080 is not a loopback address"))
    }

    @Test("a port already taken exits 6 naming the address")
    func portTaken() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length)
                listen(socket, 1)
                return getsockname(socket, pointer, &length)
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let result = try Self.nightshift(["console", "--jobs", try Self.jobsFile(), "--listen", "127.0.0.1:\(port)"])
        #expect(result.status == 6)
        #expect(result.error.contains("Error: cannot serve the console on 127.0.0.1:\(port): "))
    }

    @Test("add-user refuses a role that does not exist (64), a short password (6), and asking without a terminal (64)")
    func addUserRefusals() throws {
        let jobs = try Self.jobsFile()
        let role = try Self.nightshift(["console", "add-user", "ada", "--role", "root", "--jobs", jobs, "--password-stdin"], input: "x\n")
        #expect(role.status == 64)
        #expect(role.error == "Error: --role: 'root' is not a role; use viewer, operator, approver, admin\n")
        let short = try Self.nightshift(["console", "add-user", "ada", "--role", "admin", "--jobs", jobs, "--password-stdin"], input: "hunter2\n")
        #expect(short.status == 6)
        #expect(short.error == "Error: the password is too short: use at least 12 characters\n")
        let name = try Self.nightshift(
            ["console", "add-user", "ada lovelace", "--role", "admin", "--jobs", jobs, "--password-stdin"], input: "long-enough-password\n")
        #expect(name.status == 6)
        #expect(name.error == "Error: 'ada lovelace' cannot be a user's name: use 1 to 64 letters, digits, '.', '_' or '-'\n")
        let noTerminal = try Self.nightshift(["console", "add-user", "ada", "--role", "admin", "--jobs", jobs])
        #expect(noTerminal.status == 64)
        #expect(
            noTerminal.error
                == "Error: no terminal to ask the password on; pass --password-stdin and write the password on standard input\n")
        #expect(!FileManager.default.fileExists(atPath: (jobs as NSString).deletingLastPathComponent + "/console-users.toml"))
    }
}
