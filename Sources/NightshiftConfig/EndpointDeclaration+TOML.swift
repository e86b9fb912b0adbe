import Foundation
import TOMLKit

extension EndpointDeclaration {
    /// Groups scripts already have, and globals of the sandbox: a declared name may not use
    /// them as its group.
    package static let reservedGroups: Set<String> = [
        "resellers", "panel", "notify", "tasks", "json", "log", "args", "sleep", "require", "print", "string", "table",
        "math", "os", "coroutine", "utf8", "_G", "_ENV",
    ]

    /// Reads `[[endpoints]]` of nightshift.toml. Every error names the file and the line of the
    /// `[[endpoints]]` entry (or of the key at fault) and says what to write instead.
    /// - Parameter text: the file's text, where the lines are looked up (TOMLKit keeps none).
    package static func parse(
        _ value: any TOMLValueConvertible, text: String, fileName: String
    ) throws(NightshiftConfiguration.Failure) -> [EndpointDeclaration] {
        typealias Failure = NightshiftConfiguration.Failure
        guard let array = value.array else {
            throw Failure("\(fileName): endpoints must be written as [[endpoints]] tables, one per endpoint")
        }
        let lines = TOMLLines(text)
        let headers = lines.headers(named: "endpoints")
        var declarations: [EndpointDeclaration] = []
        var declaredAt: [String: Int] = [:]
        for (index, item) in array.enumerated() {
            let header = index < headers.count ? headers[index] : nil
            func line(of key: String) -> Int? { header.flatMap { lines.key(key, inBlockAt: $0) } ?? header }
            func fail(_ key: String?, _ message: String) -> Failure {
                let at = (key.flatMap(line(of:)) ?? header).map { ":\($0)" } ?? ""
                return Failure("\(fileName)\(at): [[endpoints]] \(message)")
            }
            guard let table = item.table else { throw fail(nil, "must be a table") }
            do {
                try NightshiftConfiguration.reject(
                    table, known: ["name", "path", "kind", "target", "credits", "required", "doc"], context: "")
            } catch {
                throw fail(nil, String(error.description.drop { $0 == ":" || $0 == " " }))
            }
            func string(_ key: String) throws(Failure) -> String? {
                guard let value = table[key] else { return nil }
                guard let text = value.string else { throw fail(key, "\(key) must be a string") }
                return text
            }
            guard let name = try string("name") else { throw fail(nil, "needs name = \"group.function\", e.g. \"lines.extend\"") }
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy(Self.isLuaName) else {
                throw fail("name", "name '\(name)' must be group.function in lowercase letters, digits and _, e.g. \"lines.extend\"")
            }
            if Self.reservedGroups.contains(String(parts[0])) {
                let what = ["resellers", "panel", "notify"].contains(String(parts[0])) ? "the built-in \(parts[0]).* group" : "a name scripts already have"
                throw fail("name", "name '\(name)' shadows \(what); choose another group name")
            }
            if let first = declaredAt[name] {
                throw fail("name", "name '\(name)' is declared twice (first at line \(first)); each endpoint needs its own name")
            }
            guard let path = try string("path") else { throw fail(nil, "'\(name)' needs path = \"api/<group>/<action>\"") }
            let segments = path.split(separator: "/", omittingEmptySubsequences: false)
            if segments.contains("..") || segments.contains(".") {
                throw fail("path", "'\(name)': path '\(path)' must not contain '..' or '.'; write api/<group>/<action>")
            }
            guard segments.count == 3, segments[0] == "api", segments.dropFirst().allSatisfy(Self.isPathSegment) else {
                throw fail("path", "'\(name)': path '\(path)' must be api/<group>/<action> (letters, digits, _ and -), e.g. \"api/line/edit\"")
            }
            let kindText = try string("kind") ?? ""
            guard let kind = Kind(rawValue: kindText) else {
                throw fail(table["kind"] == nil ? nil : "kind", table["kind"] == nil
                    ? "'\(name)' needs kind = \"read\" or \"write\""
                    : "'\(name)': unknown kind '\(kindText)'; use \"read\" or \"write\"")
            }
            var required: [String] = []
            if let value = table["required"] {
                guard let list = value.array else { throw fail("required", "'\(name)': required must be a list of parameter names") }
                for item in list {
                    guard let param = item.string, !param.isEmpty else {
                        throw fail("required", "'\(name)': required must be a list of parameter names")
                    }
                    required.append(param)
                }
            }
            let target = try string("target")
            if let target, target.isEmpty { throw fail("target", "'\(name)': target must name a parameter") }
            var credits: CreditMove?
            if let value = table["credits"] {
                guard let move = value.table, let param = move["param"]?.string, let sign = move["sign"]?.int,
                    move.keys.allSatisfy({ $0 == "param" || $0 == "sign" })
                else {
                    throw fail("credits", "'\(name)': credits must be { param = \"NAME\", sign = 1 } (or sign = -1)")
                }
                guard sign == 1 || sign == -1 else {
                    throw fail("credits", "'\(name)': credits sign must be 1 (credits given) or -1 (credits taken), not \(sign)")
                }
                guard kind == .write else { throw fail("credits", "'\(name)': a read moves no credits; remove credits or make it kind = \"write\"") }
                guard required.contains(param) else {
                    throw fail("credits", "'\(name)': the credit param '\(param)' is not in required; add it, so that every call says how many credits it moves")
                }
                credits = CreditMove(param: param, sign: sign)
            }
            declaredAt[name] = line(of: "name") ?? 0
            declarations.append(
                EndpointDeclaration(
                    name: name, group: String(segments[1]), action: String(segments[2]), kind: kind, target: target,
                    credits: credits, required: required, doc: try string("doc") ?? "Declared in nightshift.toml."))
        }
        return declarations
    }

    package static func isLuaName(_ part: Substring) -> Bool {
        guard let first = part.first, first == "_" || ("a"..."z").contains(first) else { return false }
        return part.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    package static func isPathSegment(_ part: Substring) -> Bool {
        !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}

/// Where things are in a TOML file's text, for messages: TOMLKit keeps no positions.
package struct TOMLLines {
    package let lines: [Substring]

    package init(_ text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }

    /// The 1-based lines of every `[[name]]` header, in order.
    package func headers(named name: String) -> [Int] {
        lines.indices.filter { lines[$0].trimmed.replacingOccurrences(of: " ", with: "") == "[[\(name)]]" }.map { $0 + 1 }
    }

    /// The line of `key = ...` in the block whose header is at `header` (1-based), before the next header.
    package func key(_ key: String, inBlockAt header: Int) -> Int? {
        var index = header
        while index < lines.count {
            let line = lines[index].trimmed
            if line.hasPrefix("[") { return nil }
            if line.hasPrefix(key), line.dropFirst(key.count).trimmed.hasPrefix("=") { return index + 1 }
            index += 1
        }
        return nil
    }
}

extension Substring {
    fileprivate var trimmed: Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" || first == "\r" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s.removeLast() }
        return s
    }
}
