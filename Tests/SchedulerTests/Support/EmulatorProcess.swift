import Foundation
import Scheduler

#if canImport(Glibc)
    import Glibc
#endif

/// `nightshift emulator` on a free loopback port, as its own process (started like the
/// daemons, with the scheduler's launcher); its first line names the port.
final class EmulatorProcess {
    static let key = "sched-e2e-KEY-4b7d21"
    let process: any RunningChild
    let port: Int

    var url: String { "http://127.0.0.1:\(port)/" }

    /// Starts an emulator accepting `key` (handed to it in a file), its files named after `name`.
    init(_ directory: TemporaryDirectory, extra: [String] = [], key: String = EmulatorProcess.key, name: String = "panel") async throws {
        let log = directory.file("\(name == "panel" ? "emulator" : name).log")
        let keyFile = directory.file("\(name).emulator-key")
        try key.write(toFile: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile, 0o600)
        process = try NightshiftBinary.start(
            ["emulator", "--port", "0", "--api-key-file", keyFile, "--db", directory.file("\(name).sqlite"), "--seed", "5"] + extra,
            log: log)
        var port: Int?
        _ = await eventually {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                port = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
            return port != nil
        }
        guard let port else {
            process.kill(signal: SIGKILL)
            throw Startup(description: "the emulator did not print its port: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        self.port = port
    }

    struct Startup: Error, CustomStringConvertible { let description: String }

    deinit {
        if process.poll() == nil {
            process.kill(signal: SIGTERM)
            if process.waitForExit(within: 5) == nil {
                process.kill(signal: SIGKILL)
                process.waitForExit()
            }
        }
    }
}
