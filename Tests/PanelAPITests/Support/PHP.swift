import Foundation

/// Runs PHP (`php-cli`, installed by `scripts/test`) as the oracle.
enum PHP {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The `php` executable on PATH.
    static let executable: String = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(dir)/php"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/php"
    }()

    /// Runs `source` (a whole PHP file, `<?php` included) with built-in defaults (`-n`) plus
    /// `arguments`, and returns stdout.
    static func run(_ source: String, arguments: [String] = []) throws -> Data {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("nightshift-php-\(UUID().uuidString).php")
        try Data(source.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try runFile(file.path, arguments: arguments)
    }

    /// Runs a PHP file and returns stdout; fails on a non-zero exit.
    static func runFile(_ path: String, arguments: [String] = []) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-n"] + arguments + [path]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting: a full pipe would block PHP forever.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "php exited \(process.terminationStatus): \(String(decoding: stderr, as: UTF8.self))")
        }
        return stdout
    }
}
