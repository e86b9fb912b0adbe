#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading the files a person names (scripts, configuration, jobs files, key and password
/// files) with errors that say which file, what is wrong with it and what to do, instead of
/// Foundation's "The file isn't in the correct format".
public enum FileRead {
    /// Why a file could not be read. The description names the file by what it is for
    /// ("the jobs file jobs.toml") and the reason.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What kind of problem it is, for callers that treat them differently.
        public enum Reason: Sendable, Equatable {
            /// Nothing exists at the path.
            case missing
            /// The file exists but this user may not read it.
            case permissionDenied
            /// The path names a folder, a device or a socket, not a regular file.
            case notAFile
            /// Larger than the reader accepts.
            case tooLarge(limit: Int)
            /// Not UTF-8 text; `offset` is the first byte that is not.
            case notText(offset: Int)
            /// Any other system error, in the system's words.
            case other(String)
        }

        /// What is wrong.
        public let reason: Reason
        /// The whole message.
        public let description: String

        init(_ reason: Reason, what: String, path: String) {
            self.reason = reason
            let subject = "\(what) \(path)"
            switch reason {
            case .missing:
                description = "cannot read \(subject): no such file; check the path"
            case .permissionDenied:
                description = "cannot read \(subject): permission denied; check the file's owner and mode (ls -l \(path))"
            case .notAFile:
                description = "cannot read \(subject): it is a folder or a special file, not a regular file"
            case .tooLarge(let limit):
                description = "cannot read \(subject): it is larger than \(limit >> 20) MiB"
            case .notText(let offset):
                description =
                    "cannot read \(subject): it is not UTF-8 text (byte \(offset) is not valid UTF-8); "
                    + "save it as UTF-8 (iconv -f LATIN1 -t UTF-8 is one way)"
            case .other(let words):
                description = "cannot read \(subject): \(words)"
            }
        }
    }

    /// The whole file as bytes.
    /// - Parameters:
    ///   - path: the file.
    ///   - what: what the file is for, as messages name it: `"the script"`, `"the jobs file"`.
    ///   - limit: the most bytes accepted (default 64 MiB).
    public static func bytes(_ path: String, what: String, limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw Failure(reason(errno), what: what, path: path) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Failure(reason(errno), what: what, path: path) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw Failure(.notAFile, what: what, path: path) }
        guard Int(info.st_size) <= limit else { throw Failure(.tooLarge(limit: limit), what: what, path: path) }
        var result: [UInt8] = []
        result.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(reason(errno), what: what, path: path)
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
            guard result.count <= limit else { throw Failure(.tooLarge(limit: limit), what: what, path: path) }
        }
        return result
    }

    /// The whole file as UTF-8 text (a byte-order mark at the start is dropped).
    /// - Throws: ``Failure`` with ``Failure/Reason/notText(offset:)`` when it is not UTF-8.
    public static func text(_ path: String, what: String, limit: Int = 16 << 20) throws(Failure) -> String {
        var data = try bytes(path, what: what, limit: limit)
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        if let offset = firstInvalidUTF8(data) { throw Failure(.notText(offset: offset), what: what, path: path) }
        return String(decoding: data, as: UTF8.self)
    }

    /// The offset of the first byte that is not part of valid UTF-8, or nil if all of it is.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    private static func reason(_ code: Int32) -> Failure.Reason {
        switch code {
        case ENOENT, ENOTDIR: .missing
        case EACCES, EPERM: .permissionDenied
        case EISDIR: .notAFile
        default: .other(String(cString: strerror(code)))
        }
    }
}
