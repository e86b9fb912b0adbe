import Foundation

/// Finds the file behind `require "name"` in the folders the operator named
/// (`--module-path`, `[modules] paths`), and reads it, refusing anything that is not a small
/// source file inside one of those folders.
///
/// `a.b` is `a/b.lua` or `a/b/init.lua` under each folder, in order. Names are parts of
/// `[A-Za-z0-9_]` separated by dots, so `..`, `/` and absolute paths cannot be written; a file
/// whose real path (links followed) is outside its folder is refused, and so is bytecode.
public struct ModuleSearch: Sendable {
    /// The folders, as the operator gave them.
    public let folders: [String]

    /// The largest module read, in bytes.
    public static let maxModuleBytes = 1 << 20

    /// Searches `folders`, in order.
    public init(folders: [String]) {
        self.folders = folders
    }

    /// A module found and read.
    public struct Module: Sendable {
        /// The name as required.
        public let name: String
        /// The file's real path (links resolved): one module, however it is named.
        public let path: String
        /// The name Lua's messages use for it: the path under its folder (`lib/format.lua`).
        public let chunkName: String
        /// The file's bytes.
        public let source: [UInt8]
        /// SHA-256 of the bytes, hex.
        public var sha256: String { ContentHash.sha256(source) }
    }

    /// Why a module cannot be loaded, in words for the script's error.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Whether `name` is a module name: `[A-Za-z0-9_]` parts separated by single dots.
    public static func isValid(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return !name.isEmpty && parts.allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            }
        }
    }

    /// Finds and reads module `name`.
    public func find(_ name: String) throws(Failure) -> Module {
        guard Self.isValid(name) else {
            throw Failure(
                description:
                    "module name '\(name)' is not valid: use letters, digits and _ in parts separated by dots, as in lib.format (no paths)")
        }
        guard !folders.isEmpty else {
            throw Failure(
                description:
                    "module '\(name)' not found: no module folders are set (name one with --module-path DIR or [modules] paths in nightshift.toml)")
        }
        let relative = name.split(separator: ".").joined(separator: "/")
        var searched: [String] = []
        for folder in folders {
            for candidate in [relative + ".lua", relative + "/init.lua"] {
                let path = (folder as NSString).appendingPathComponent(candidate)
                searched.append(path)
                guard FileManager.default.fileExists(atPath: path) else { continue }
                return try read(name: name, path: path, folder: folder, chunkName: candidate)
            }
        }
        throw Failure(
            description: "module '\(name)' not found; searched:\n" + searched.map { "\t" + $0 }.joined(separator: "\n"))
    }

    private func read(name: String, path: String, folder: String, chunkName: String) throws(Failure) -> Module {
        guard let realFolder = Self.realPath(folder), let realFile = Self.realPath(path) else {
            throw Failure(description: "module '\(name)': cannot resolve \(path)")
        }
        guard realFile.hasPrefix(realFolder.hasSuffix("/") ? realFolder : realFolder + "/") else {
            throw Failure(
                description: "module '\(name)': \(path) leads to \(realFile), outside the module folder \(folder); refused")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: realFile, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw Failure(description: "module '\(name)': \(path) is not a file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: realFile)[.size] as? Int) ?? 0
        guard size <= Self.maxModuleBytes else {
            throw Failure(
                description: "module '\(name)': \(path) is \(size) bytes; a module may be at most \(Self.maxModuleBytes >> 20) MiB")
        }
        guard let data = FileManager.default.contents(atPath: realFile) else {
            throw Failure(description: "module '\(name)': cannot read \(path)")
        }
        let bytes = [UInt8](data.prefix(Self.maxModuleBytes + 1))
        guard bytes.count <= Self.maxModuleBytes else {
            throw Failure(description: "module '\(name)': \(path) is larger than \(Self.maxModuleBytes >> 20) MiB; refused")
        }
        // Lua's binary chunks start with ESC "Lua"; only source text is loaded.
        if bytes.first == 0x1B {
            throw Failure(description: "module '\(name)': \(path) is compiled Lua (bytecode); only source text is loaded")
        }
        return Module(name: name, path: realFile, chunkName: chunkName, source: bytes)
    }

    package static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
