import Foundation

/// Runs the Python oracles (cronsim, prometheus_client) the tests compare with.
enum Python {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `python3 -c program` with `input` on its standard input and returns its standard
    /// output; a non-zero exit throws with `hint` and Python's own words.
    static func run(_ program: String, input: Data, hint: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", program]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write on another thread so a full output pipe cannot deadlock us.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(hint): " + String(decoding: errors, as: UTF8.self))
        }
        return output
    }
}
