import ArgumentParser
import Foundation
import LuaHost
import PanelAPI
import ScriptRuntime

/// `nightshift check SCRIPT`: compiles the script and shows the grant it needs.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a script: syntax errors with line numbers, the API functions it uses and the grant it needs.",
        discussion: """
            With --allow/--max-credits, also checks the script's declaration and the functions it \
            uses against that grant (exit 2 when they exceed it). Functions are found in the text: \
            calls made through aliases are not seen, and the run's grant still guards every call. \
            --json prints one JSON object instead, for editors and CI; exit codes are the same.
            """
    )

    @Argument(help: "The Lua script.")
    var script: String

    @Option(name: .customLong("allow"), help: "A function the grant would allow (repeatable).")
    var allow: [String] = []

    @Option(name: .customLong("max-credits"), help: "The grant's credit cap.")
    var maxCredits: Int?

    @Option(name: .customLong("max-credits-per-reseller"), help: "The grant's per-reseller cap.")
    var maxCreditsPerReseller: Int?

    @Flag(help: "Print the findings as one JSON object.")
    var json = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: script) else {
            Output.error("nightshift check: cannot read the script \(script); check the path")
            throw NightshiftExitCode.badScript.exit
        }
        let report = try CheckReport(script: script, source: Array(data), grant: grant())
        if json {
            Output.out(report.json)
        } else {
            for line in report.lines { Output.out(line) }
        }
        if let exitCode = report.exitCode { throw exitCode.exit }
    }

    /// The grant given on the command line, or `nil` when none is.
    private func grant() throws -> Grant? {
        guard !allow.isEmpty || maxCredits != nil || maxCreditsPerReseller != nil else { return nil }
        var allowed = Set<APIFunction>()
        for name in allow {
            guard let functions = APIFunction.parse(name) else {
                throw ValidationError("--allow \(name): unknown function")
            }
            allowed.formUnion(functions)
        }
        return Grant(
            allowed: allow.isEmpty ? APIFunction.readsOnly : allowed, maxCredits: maxCredits ?? 0,
            maxCreditsPerReseller: maxCreditsPerReseller)
    }
}

/// What `nightshift check` found in one script, shown as text or JSON.
struct CheckReport {
    let script: String
    /// Lua's message for a syntax error, with the chunk name and line.
    var syntaxError: String?
    var declaration = ScriptDeclaration()
    /// Functions used, with the line of their first use, by name.
    var uses: [(function: APIFunction, line: Int)] = []
    /// The command-line flags of the grant the script needs.
    var needs: [String] = []
    var warnings: [String] = []
    var notes: [String] = []
    /// The grant given with the check, and what it lacks.
    var grant: Grant?
    var grantProblems: [String] = []

    init(script: String, source: [UInt8], grant: Grant?) throws {
        self.script = script
        self.grant = grant
        do {
            let vm = try LuaVM(sandbox: .standard, limits: LuaLimits(instructions: 1, memory: 64 << 20, time: .seconds(5)))
            let chunk = try vm.load(bytes: source, chunkName: (script as NSString).lastPathComponent)
            vm.release(chunk)
        } catch {
            syntaxError = error.message
            return
        }
        declaration = ScriptDeclaration.parse(source)
        guard declaration.problems.isEmpty else { return }
        let found = ScriptUsage.scan(source)
        uses = found.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if declaration.isPresent {
            let undeclared = Set(found.keys).subtracting(declaration.allow).sorted()
            if !undeclared.isEmpty {
                warnings.append(
                    "uses \(undeclared.map(\.rawValue).joined(separator: ", ")) without declaring it; add them to the '-- nightshift: allow' line")
            }
        }
        // The grant it needs: what it declares and what it visibly uses; credits as declared.
        let needed = declaration.allow.union(found.keys)
        needs = needed.sorted().flatMap { ["--allow", $0.rawValue] }
        if let maxCredits = declaration.maxCredits { needs += ["--max-credits", String(maxCredits)] }
        if let perReseller = declaration.maxCreditsPerReseller { needs += ["--max-credits-per-reseller", String(perReseller)] }
        let writes = needed.filter { $0 == .resellersNew || $0 == .resellersUpdate || $0 == .resellersAddCredits }
        if !writes.isEmpty && declaration.maxCredits == nil {
            notes.append("it may change credits; runs need --max-credits N (the default cap is 0)")
        }
        if let grant {
            grantProblems = declaration.excess(over: grant)
            let unallowed = Set(found.keys).subtracting(grant.allowed).sorted()
            if !unallowed.isEmpty {
                grantProblems.append("it calls \(unallowed.map(\.rawValue).joined(separator: ", ")), which the grant does not allow")
            }
        }
    }

    /// Bad script (syntax or header), refused (the given grant is not enough), or fine.
    var exitCode: NightshiftExitCode? {
        if syntaxError != nil || !declaration.problems.isEmpty { return .badScript }
        return grantProblems.isEmpty ? nil : .refused
    }

    var lines: [String] {
        if let syntaxError { return ["\(script): syntax error: \(syntaxError)"] }
        var lines = ["\(script): syntax ok"]
        guard declaration.problems.isEmpty else {
            return lines + declaration.problems.map { "\(script): header: \($0)" }
        }
        lines.append(
            uses.isEmpty
                ? "uses: no API functions"
                : "uses: " + uses.map { "\($0.function.rawValue) (line \($0.line))" }.joined(separator: ", "))
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

    /// One JSON object: `script`, `ok`, `exit_code`, `syntax_error` (with `line`), `header_problems`,
    /// `uses`, `declares`, `warnings`, `notes`, `needs` and `grant`.
    var json: String {
        var object: JSONObject = [
            "script": .string(script), "ok": .bool(exitCode == nil), "exit_code": .int(Int(exitCode?.rawValue ?? 0)),
        ]
        object["syntax_error"] = syntaxError.map { error in
            .object(["message": .string(error), "line": Self.line(of: error).map(JSONValue.int) ?? .null])
        } ?? .null
        object["header_problems"] = .array(declaration.problems.map(JSONValue.string))
        object["uses"] = .array(uses.map { .object(["function": .string($0.function.rawValue), "line": .int($0.line)]) })
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
    static func line(of message: String) -> Int? {
        let parts = message.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 ? Int(parts[1]) : nil
    }
}
