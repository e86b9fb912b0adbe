import Foundation
import Testing
import TestScratch

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh folder for one test's state, config and scripts.
private func workFolder() throws -> String {
    try Scratch.folder("nightshift-ops")
}

private func write(_ text: String, to path: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// A loopback port nothing listens on (bound, then closed).
private func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw Panel.Startup(description: "cannot find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

@Suite("nightshift run: notifications, output limits, file modes, crashed runs", .serialized)
struct OpsEndToEndTests {
    @Test("--allow notify.NAME for a target nightshift.toml does not define is a configuration error naming the configured ones")
    func unknownTarget() throws {
        let folder = try workFolder()
        try write("[notify.ops]\ncommand = [\"true\"]\n", to: folder + "/nightshift.toml")
        try write("notify.send('nope', 'x')", to: folder + "/n.lua")
        let result = try Nightshift.run([
            "run", folder + "/n.lua", "--emulator", "--state", folder + "/state", "--config", folder + "/nightshift.toml",
            "--allow", "notify.nope",
        ])
        #expect(result.status == 6, "\(result.all)")
        #expect(result.error.contains("--allow notify.nope: no such notification target"), "\(result.error)")
        #expect(result.error.contains("configured: notify.ops"), "\(result.error)")
    }

    @Test("a notification command that exits without reading its message fails that send, and the run ends normally")
    func commandClosesItsInput() throws {
        let folder = try workFolder()
        // A command gone before its message is written: the write meets a pipe without a
        // reader, which raised SIGPIPE and killed the run before both executables handled it.
        // (Whether the write comes before or after the exit is up to the machine; either way
        // the run must end by itself with the send's failure.)
        try write("[notify.quit]\ncommand = [\"/bin/false\"]\n", to: folder + "/nightshift.toml")
        try write("notify.send('quit', string.rep('x', 60000))", to: folder + "/n.lua")
        let result = try Nightshift.run([
            "run", folder + "/n.lua", "--emulator", "--state", folder + "/state", "--config", folder + "/nightshift.toml",
            "--allow", "notify.quit",
        ])
        #expect(result.exited, "killed by a signal: \(result.all)")
        #expect(result.status == 1, "\(result.all)")
        #expect(result.error.contains("notify.quit: notify failed"), "\(result.error)")
    }

    @Test("a run whose standard output has no reader still sends its writes, ends by itself and is recorded as succeeded")
    func outputReaderGone() throws {
        let folder = try workFolder()
        // Every print meets a pipe without a reader: deterministic SIGPIPE, which killed the
        // run at its first print before both executables turned it into EPIPE.
        try write("for i = 1, 3 do print('line', i) end\nresellers.add_credits('ultralive3', 1)\nprint('after')\n", to: folder + "/p.lua")
        let state = folder + "/state"
        let result = try Nightshift.run(
            ["run", folder + "/p.lua", "--emulator", "--state", state, "--allow", "resellers.add_credits", "--max-credits", "5"],
            outputReaderGone: true)
        #expect(result.exited, "killed by a signal: \(result.all)")
        #expect(result.status == 0, "\(result.all)")
        #expect(result.error.contains("succeeded; 1 write sent, 1 credits moved"), "\(result.error)")
        let runs = try Nightshift.run(["runs", "--state", state])
        #expect(runs.output.contains("succeeded  live"), "\(runs.all)")
    }

    @Test("a webhook URL appears in no output, error, run record or audit row of the binary, even when delivery fails")
    func webhookURLRedacted() throws {
        let folder = try workFolder()
        let url = "http://127.0.0.1:\(try closedPort())/services/T000/B000/sEcReT-hook-99"
        try write("[notify.ops]\nwebhook = \"\(url)\"\n", to: folder + "/nightshift.toml")
        try write("notify.send('ops', 'hello')", to: folder + "/n.lua")
        let common = ["--state", folder + "/state", "--config", folder + "/nightshift.toml"]
        let live = try Nightshift.run(["run", folder + "/n.lua", "--emulator", "--allow", "notify.ops"] + common)
        #expect(live.status == 1, "\(live.all)")
        #expect(live.error.contains("notify.ops: notify failed: cannot connect to the webhook"), "\(live.error)")
        let plan = try Nightshift.run(["run", folder + "/n.lua", "--emulator", "--allow", "notify.ops", "--dry-run", "--json"] + common)
        #expect(plan.output.contains("notify.ops"), "\(plan.all)")
        let audit = try Nightshift.run(["audit", "--json"] + common)
        #expect(audit.output.contains("\"endpoint\":\"notify.ops\""), "\(audit.all)")
        let runs = try Nightshift.run(["runs", "--json", "--output"] + common)
        for text in [live.all, plan.all, audit.all, runs.all] {
            #expect(!text.contains("sEcReT-hook"), "\(text)")
        }
    }

    @Test("notify.send works in the REPL under --allow notify.NAME: the command target gets the message, and the audit log records it")
    func replNotify() throws {
        let folder = try workFolder()
        let received = folder + "/received.json"
        try write("[notify.ops]\ncommand = [\"/bin/sh\", \"-c\", \"cat > \(received)\"]\n", to: folder + "/nightshift.toml")
        let common = ["--state", folder + "/state", "--config", folder + "/nightshift.toml", "--emulator", "--yes"]
        let session = try Nightshift.run(
            ["repl", "--allow", "notify.ops"] + common, input: "print(notify.send('ops', 'from the repl'))\n")
        #expect(session.status == 0, "\(session.all)")
        #expect(session.output.contains("true"), "\(session.all)")
        #expect(try String(contentsOfFile: received, encoding: .utf8) == #"{"text":"from the repl"}"#)
        let audit = try Nightshift.run(["audit", "--json", "--state", folder + "/state", "--config", folder + "/nightshift.toml"])
        #expect(audit.output.contains("\"endpoint\":\"notify.ops\""), "\(audit.all)")
        let refused = try Nightshift.run(["repl", "--allow", "notify.nope"] + common, input: "1\n")
        #expect(refused.status == 6, "\(refused.all)")
        #expect(refused.error.contains("--allow notify.nope: no such notification target"), "\(refused.all)")
    }

    @Test("past --max-output the output is dropped with one line saying so, and the run goes on to its end")
    func outputCap() throws {
        let folder = try workFolder()
        try write("for i = 1, 2000 do print(string.rep('x', 99)) end error('reached the end')", to: folder + "/loud.lua")
        let result = try Nightshift.run([
            "run", folder + "/loud.lua", "--emulator", "--state", folder + "/state", "--max-output", "10K",
        ])
        #expect(result.status == 1, "\(result.error)")
        #expect(result.output.utf8.count <= 10 * 1024)
        #expect(result.output.utf8.count >= 10 * 1024 - 100)
        #expect(result.error.components(separatedBy: "output passed the run's limit of 10 KiB (--max-output); the rest is dropped").count == 2, "\(result.error)")
        #expect(result.error.contains("reached the end"), "\(result.error)")
    }

    @Test("nightshift run ends at its deadline when standard output is read very slowly: it leaves output unread, and says it was dropped")
    func slowPipe() throws {
        let folder = try workFolder()
        // Each line is larger than a pipe's buffer: one print alone outlasts the deadline.
        try write("local line = string.rep('y', 65536) while true do print(line) end", to: folder + "/flood.lua")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Nightshift.path)
        process.arguments = ["run", folder + "/flood.lua", "--emulator", "--state", folder + "/state", "--timeout", "2s"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let reading = Locked(true)
        let readerDone = Locked(false)
        let errorText = Locked(Data())
        let started = ContinuousClock.now
        try process.run()
        // A reader that takes 1 KiB every quarter of a second: far slower than the script.
        let slowReader = Thread {
            let fd = output.fileHandleForReading.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 1024)
            while reading.value {
                if read(fd, &buffer, buffer.count) <= 0 { break }
                usleep(250_000)
            }
            readerDone.set(true)
        }
        slowReader.start()
        let errorReader = Thread { errorText.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        // A process still alive long past its deadline is ended here, so the test fails rather
        // than hangs (a give-up, not a measure: the checks below do not read the clock).
        while process.isRunning, ContinuousClock.now - started < .seconds(60) { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        reading.set(false)
        while !readerDone.value { usleep(1000) }
        // What the slow reader had not taken when the process ended: it did not wait for it.
        let unread = output.fileHandleForReading.readDataToEndOfFile()
        while !errorText.isSet { usleep(1000) }
        let stderr = String(decoding: errorText.value, as: UTF8.self)
        // It ended itself, stopped by its time limit (exit code 3, and the limit named), not
        // by the script, a crash or the kill above.
        #expect(process.terminationReason == .exit, "\(stderr)")
        #expect(process.terminationStatus == 3, "\(stderr)")
        #expect(stderr.contains("time limit of 2 s exceeded"), "\(stderr)")
        #expect(stderr.contains("bytes of output were dropped: standard output was not read in time"), "\(stderr)")
        #expect(!unread.isEmpty)
    }

    @Test("the state folder is created 0700 and audit.sqlite with its -wal and -shm files 0600")
    func fileModes() throws {
        let folder = try workFolder()
        let state = folder + "/new/state"
        try write("print('hi')", to: folder + "/hi.lua")
        let result = try Nightshift.run(["run", folder + "/hi.lua", "--emulator", "--state", state])
        #expect(result.status == 0, "\(result.all)")
        func mode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1) & 0o777
        }
        #expect(try mode(state) == 0o700)
        #expect(try mode(folder + "/new") == 0o700)
        #expect(try mode(state + "/audit.sqlite") == 0o600)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: state + "/audit.sqlite" + suffix) {
            #expect(try mode(state + "/audit.sqlite" + suffix) == 0o600, "\(suffix)")
        }
    }

    @Test("a run killed with kill -9 shows as crashed in nightshift runs, and as running while it lives")
    func crashedAfterKill() throws {
        let folder = try workFolder()
        let state = folder + "/state"
        try write("sleep(50)", to: folder + "/sleepy.lua")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Nightshift.path)
        process.arguments = ["run", folder + "/sleepy.lua", "--emulator", "--state", state, "--timeout", "60s"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var live = ""
        for _ in 0..<100 {
            if FileManager.default.fileExists(atPath: state + "/audit.sqlite") {
                live = try Nightshift.run(["runs", "--state", state]).output
                if live.contains("sleepy.lua") { break }
            }
            usleep(100_000)
        }
        #expect(live.contains("  running  "), "\(live)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let after = try Nightshift.run(["runs", "--state", state])
        #expect(after.output.contains("  crashed  "), "\(after.all)")
        let filtered = try Nightshift.run(["runs", "--state", state, "--status", "crashed", "--json"])
        #expect(filtered.output.contains("\"status\":\"crashed\""), "\(filtered.all)")
    }

    @Test("a write in flight when its run is killed with kill -9 stays outcome unknown, and the run shows as crashed")
    func crashedWriteStaysUnknown() throws {
        let folder = try workFolder()
        let state = folder + "/state"
        try write("[notify.slow]\ncommand = [\"/bin/sh\", \"-c\", \"sleep 15\"]\n", to: folder + "/nightshift.toml")
        try write("notify.send('slow', 'takes a while')", to: folder + "/slow.lua")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Nightshift.path)
        process.arguments = [
            "run", folder + "/slow.lua", "--emulator", "--state", state, "--config", folder + "/nightshift.toml",
            "--allow", "notify.slow", "--timeout", "60s",
        ]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var audit = ""
        for _ in 0..<100 {
            if FileManager.default.fileExists(atPath: state + "/audit.sqlite") {
                audit = try Nightshift.run(["audit", "--state", state, "--json"]).output
                if audit.contains("notify.slow") { break }
            }
            usleep(100_000)
        }
        #expect(audit.contains("\"outcome\":\"outcome unknown\""), "\(audit)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let runs = try Nightshift.run(["runs", "--state", state])
        #expect(runs.output.contains("  crashed  "), "\(runs.all)")
        let after = try Nightshift.run(["audit", "--state", state, "--json"])
        #expect(after.output.contains("\"endpoint\":\"notify.slow\""), "\(after.all)")
        #expect(after.output.contains("\"outcome\":\"outcome unknown\""), "\(after.all)")
    }
}
