import Foundation
import LuaHost
import PanelAPI

/// What `nightshift check` finds in a script and every module it requires: syntax errors
/// with their file and line, the API functions used (file:line), the declaration, and the
/// grant the whole program needs, as text or JSON.
///
/// Requires are followed when their name is a literal (`require "lib.format"`); the modules
/// are found as a run finds them (``ModuleSearch``).
public struct ProgramCheck {
    /// One API function used in one file, at the line of its first use there.
    public struct Use: Sendable, Hashable {
        public var function: APIFunction
        /// The script's name, or the module's path under its folder (`lib/topup.lua`).
        public var file: String
        public var line: Int
    }

    /// A module the program requires, and where.
    public struct Module: Sendable, Hashable {
        public var name: String
        /// The module's path under its folder (`lib/topup.lua`).
        public var file: String
        /// Where it is required first (`topup.lua:3`).
        public var requiredAt: String
    }

    public let script: String
    /// Lua's message for the first syntax error, with the file and line.
    public private(set) var syntaxError: String?
    public private(set) var declaration = ScriptDeclaration()
    /// Every function used, by function, then file.
    public private(set) var uses: [Use] = []
    public private(set) var modules: [Module] = []
    /// Requires that cannot be followed or loaded (a run would fail there).
    public private(set) var moduleProblems: [String] = []
    /// The command-line flags of the grant the program needs.
    public private(set) var needs: [String] = []
    public private(set) var warnings: [String] = []
    public private(set) var notes: [String] = []
    /// The grant given with the check, and what it lacks.
    public let grant: Grant?
    public private(set) var grantProblems: [String] = []

    /// Checks `source` (the script at `script`) and the modules it requires.
    public init(
        script: String, source: [UInt8], grant: Grant?, modules search: ModuleSearch = ModuleSearch(folders: []),
        catalogue: APICatalogue = .standard
    ) {
        self.script = script
        self.grant = grant
        let scriptName = (script as NSString).lastPathComponent
        if let error = Self.syntaxError(source, chunkName: scriptName) {
            syntaxError = error
            return
        }
        declaration = ScriptDeclaration.parse(source, catalogue: catalogue)
        guard declaration.problems.isEmpty else { return }

        var found = Self.uses(in: source, file: scriptName, catalogue: catalogue)
        var pending = ScriptUsage.requires(source).map { (name: $0.name, at: "\(scriptName):\($0.line)") }
        var seen = Set<String>()
        while !pending.isEmpty {
            let (name, at) = pending.removeFirst()
            guard !seen.contains(name) else { continue }
            seen.insert(name)
            let module: ModuleSearch.Module
            do {
                module = try search.find(name)
            } catch {
                moduleProblems.append("\(at): \(error.description)")
                continue
            }
            modules.append(Module(name: name, file: module.chunkName, requiredAt: at))
            if let error = Self.syntaxError(module.source, chunkName: module.chunkName) {
                syntaxError = error
                return
            }
            found += Self.uses(in: module.source, file: module.chunkName, catalogue: catalogue)
            pending += ScriptUsage.requires(module.source).map { (name: $0.name, at: "\(module.chunkName):\($0.line)") }
        }
        uses = found.sorted { ($0.function, $0.file == scriptName ? "" : $0.file) < ($1.function, $1.file == scriptName ? "" : $1.file) }

        let used = Set(uses.map(\.function))
        if declaration.isPresent {
            let undeclared = used.subtracting(declaration.allow).sorted()
            if !undeclared.isEmpty {
                warnings.append(
                    "uses \(undeclared.map(\.rawValue).joined(separator: ", ")) without declaring it; add them to the '-- nightshift: allow' line")
            }
        }
        // The grant it needs: what it declares and what it visibly uses; credits as declared.
        let needed = declaration.allow.union(used)
        needs = needed.sorted().flatMap { ["--allow", $0.rawValue] }
        if let maxCredits = declaration.maxCredits { needs += ["--max-credits", String(maxCredits)] }
        if let perReseller = declaration.maxCreditsPerReseller { needs += ["--max-credits-per-reseller", String(perReseller)] }
        let writes = needed.filter { function in
            guard case .write(let credits)? = catalogue.entry(function)?.effect else { return false }
            return credits != .none && credits != .unknown
        }
        if !writes.isEmpty && declaration.maxCredits == nil {
            notes.append("it may change credits; runs need --max-credits N (the default cap is 0)")
        }
        if let grant {
            grantProblems = declaration.excess(over: grant)
            let unallowed = used.subtracting(grant.allowed).sorted()
            if !unallowed.isEmpty {
                grantProblems.append("it calls \(unallowed.map(\.rawValue).joined(separator: ", ")), which the grant does not allow")
            }
        }
    }

    private static func syntaxError(_ source: [UInt8], chunkName: String) -> String? {
        do {
            let vm = try LuaVM(sandbox: .standard, limits: LuaLimits(instructions: 1, memory: 64 << 20, time: .seconds(5)))
            let chunk = try vm.load(bytes: source, chunkName: chunkName)
            vm.release(chunk)
            return nil
        } catch {
            return error.message
        }
    }

    private static func uses(in source: [UInt8], file: String, catalogue: APICatalogue) -> [Use] {
        // A function whose grant names a target (`notify.send`) needs no grant of its own.
        ScriptUsage.scan(source, catalogue: catalogue).filter { !catalogue.grantsTargets($0.key) }
            .map { Use(function: $0.key, file: file, line: $0.value) }
    }

    /// Exit 5 (bad script: syntax, header, a module that cannot be loaded), 2 (the given
    /// grant is not enough), or nil when fine.
    public var exitCode: Int32? {
        if syntaxError != nil || !declaration.problems.isEmpty || !moduleProblems.isEmpty { return 5 }
        return grantProblems.isEmpty ? nil : 2
    }

    private var scriptName: String { (script as NSString).lastPathComponent }

    private func place(_ use: Use) -> String {
        use.file == scriptName ? "line \(use.line)" : "\(use.file):\(use.line)"
    }

    /// The report as lines of text.
    public var lines: [String] {
        if let syntaxError { return ["\(script): syntax error: \(syntaxError)"] }
        var lines = ["\(script): syntax ok"]
        guard declaration.problems.isEmpty else {
            return lines + declaration.problems.map { "\(script): header: \($0)" }
        }
        if !modules.isEmpty {
            lines.append("modules: " + modules.map { "\($0.name) (\($0.file), required at \($0.requiredAt))" }.joined(separator: ", "))
        }
        lines += moduleProblems.map { "error: \($0)" }
        var byFunction: [(APIFunction, [Use])] = []
        for use in uses {
            if let last = byFunction.last, last.0 == use.function {
                byFunction[byFunction.count - 1].1.append(use)
            } else {
                byFunction.append((use.function, [use]))
            }
        }
        lines.append(
            byFunction.isEmpty
                ? "uses: no API functions"
                : "uses: " + byFunction.map { "\($0.0.rawValue) (\($0.1.map(place).joined(separator: ", ")))" }.joined(separator: ", "))
        if declaration.isPresent {
            var text = "declares: allow " + (declaration.allow.isEmpty ? "nothing" : declaration.allow.sorted().map(\.rawValue).joined(separator: ", "))
            if let maxCredits = declaration.maxCredits { text += "; max-credits \(maxCredits)" }
            if let perReseller = declaration.maxCreditsPerReseller { text += "; max-credits-per-reseller \(perReseller)" }
            lines.append(text)
        } else {
            lines.append("declares: nothing (add '-- nightshift: allow ...' so runs refuse to start without the grant)")
        }
        lines += warnings.map { "warning: \($0)" }
        lines += notes.map { "note: \($0)" }
        lines.append("needs: " + (needs.isEmpty ? "nothing beyond the default grant (reads only)" : needs.joined(separator: " ")))
        if let grant {
            lines += grantProblems.isEmpty
                ? ["grant \(grant): enough"] : grantProblems.map { "grant \(grant): not enough: \($0)" }
        }
        return lines
    }

    /// One JSON object: `script`, `ok`, `exit_code`, `syntax_error` (with `line`),
    /// `header_problems`, `modules`, `module_problems`, `uses` (function, file, line),
    /// `declares`, `warnings`, `notes`, `needs` and `grant`.
    public var json: String {
        var object: JSONObject = [
            "script": .string(script), "ok": .bool(exitCode == nil), "exit_code": .int(Int(exitCode ?? 0)),
        ]
        object["syntax_error"] = syntaxError.map { error in
            .object(["message": .string(error), "line": Self.line(of: error).map(JSONValue.int) ?? .null])
        } ?? .null
        object["header_problems"] = .array(declaration.problems.map(JSONValue.string))
        object["modules"] = .array(modules.map {
            .object(["name": .string($0.name), "file": .string($0.file), "required_at": .string($0.requiredAt)])
        })
        object["module_problems"] = .array(moduleProblems.map(JSONValue.string))
        object["uses"] = .array(uses.map {
            .object(["function": .string($0.function.rawValue), "file": .string($0.file), "line": .int($0.line)])
        })
        if declaration.isPresent {
            object["declares"] = .object([
                "allow": .array(declaration.allow.sorted().map { .string($0.rawValue) }),
                "max_credits": declaration.maxCredits.map(JSONValue.int) ?? .null,
                "max_credits_per_reseller": declaration.maxCreditsPerReseller.map(JSONValue.int) ?? .null,
            ])
        } else {
            object["declares"] = .null
        }
        object["warnings"] = .array(warnings.map(JSONValue.string))
        object["notes"] = .array(notes.map(JSONValue.string))
        object["needs"] = .array(needs.map(JSONValue.string))
        object["grant"] = grant.map { grant in
            .object([
                "grant": .string(grant.description), "enough": .bool(grantProblems.isEmpty),
                "problems": .array(grantProblems.map(JSONValue.string)),
            ])
        } ?? .null
        return String(decoding: JSONWriter.write(.object(object)), as: UTF8.self)
    }

    /// The line number in Lua's `name:LINE: message`.
    package static func line(of message: String) -> Int? {
        let parts = message.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 ? Int(parts[1]) : nil
    }
}
