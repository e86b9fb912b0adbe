import Foundation

/// A real terminal for end-to-end REPL tests: a private tmux server runs the command in a
/// pseudo-terminal; the test types keys and reads the screen.
final class Terminal {
    private let socket = "nightshift-test-\(UUID().uuidString.prefix(8))"
    /// The server's socket file. tmux leaves it behind when its server is killed, so the test
    /// removes it (and so does the watcher, if the test process dies first).
    private let socketPath: String
    private let statusFile: String

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    // glibc 2.34+ has it, but its header hides it from Swift's Glibc module: look it up.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `command` (argv) in a 100x40 terminal; its exit status is recorded when it ends.
    init(_ command: [String], environment: [String: String] = [:]) throws {
        statusFile = NSTemporaryDirectory() + "/\(socket).status"
        // Where tmux puts the socket of `-L NAME` (tmux(1), -L).
        let socketFolder = ProcessInfo.processInfo.environment["TMUX_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        socketPath = "\(socketFolder)/tmux-\(getuid())/\(socket)"
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let exports = environment.map { "export \($0.key)='\($0.value)';" }.joined(separator: " ")
        // A watcher ends the pane's whole process group (and so the tmux server) once this test
        // process is gone, even if it died before `deinit` could kill the server.
        let watcher =
            "(while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; rm -f '\(socketPath)' '\(statusFile)'; kill -9 0) &"
        let script = "\(exports) \(watcher) \(quoted); echo $? > '\(statusFile)'; sleep 30"
        // The server tmux forks keeps whatever output it inherits open: give it none.
        try tmux(["new-session", "-d", "-x", "100", "-y", "40", "bash", "-c", script], detached: true)
    }

    deinit {
        _ = try? tmux(["kill-server"])
        try? FileManager.default.removeItem(atPath: socketPath)
        try? FileManager.default.removeItem(atPath: statusFile)
    }

    /// Types text literally (no key names).
    func type(_ text: String) throws { try tmux(["send-keys", "-l", text]) }

    /// Presses keys by tmux name: `Enter`, `Tab`, `C-c`, `C-d`, `Up`, `C-r`.
    func press(_ keys: String...) throws { try tmux(["send-keys"] + keys) }

    /// Types a line and presses Enter.
    func line(_ text: String) throws {
        try type(text)
        try press("Enter")
    }

    /// The visible screen, trailing blank lines removed.
    func screen() throws -> String {
        try tmux(["capture-pane", "-p"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits until the screen satisfies `condition` (polling; a generous bound so a slow CI
    /// machine does not fail the test, which asserts behaviour, not speed).
    @discardableResult
    func wait(for description: String, timeout: Double = 30, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Failure(description: "timed out waiting for \(description); screen:\n\(last)")
    }

    /// Waits until `text` is on screen `count` times.
    @discardableResult
    func wait(forText text: String, count: Int = 1, timeout: Double = 30) throws -> String {
        try wait(for: "\"\(text)\" x\(count)", timeout: timeout) { $0.components(separatedBy: text).count - 1 >= count }
    }

    /// Waits until `count` prompts are on screen: lines that are `prompt` alone (tmux drops
    /// trailing spaces) or start with `prompt` and a space.
    @discardableResult
    func wait(forPrompt prompt: String = ">", count: Int = 1, timeout: Double = 30) throws -> String {
        try wait(for: "\(count) prompt(s) \"\(prompt)\"", timeout: timeout) { screen in
            screen.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { $0 == prompt || $0.hasPrefix(prompt + " ") }.count >= count
        }
    }

    /// The command's exit status, once it has ended.
    func exitStatus(timeout: Double = 30) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: statusFile, encoding: .utf8),
                let status = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return status
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Failure(description: "the command did not exit; screen:\n\((try? screen()) ?? "")")
    }

    @discardableResult
    private func tmux(_ arguments: [String], detached: Bool = false) throws -> String {
        // posix_spawn and waitpid, not Foundation's Process: `new-session` forks a server
        // that outlives the client, and Process can then wait forever for the client.
        let argv = ["tmux", "-L", socket, "-f", "/dev/null"] + arguments
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw Failure(description: "pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if detached {
            // The forked server inherits these: it must not hold our pipe open.
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        }
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        // The tmux server lives on: it must not keep other tests' pipes open (a parallel
        // test reading its child's output to the end would wait for tmux, not the child).
        if let closeFrom = Terminal.addCloseFrom { _ = closeFrom(&actions, 3) }
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "tmux", &actions, nil, &cArguments, environ)
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            throw Failure(description: "cannot start tmux (\(spawned)): is it installed?")
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fds[0], &buffer, buffer.count)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = String(decoding: data, as: UTF8.self)
        guard status == 0 else { throw Failure(description: "tmux \(arguments.first ?? ""): \(text)") }
        return text
    }
}
