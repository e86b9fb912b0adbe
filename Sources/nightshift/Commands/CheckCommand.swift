import ArgumentParser
import Foundation
import LuaHost
import ScriptRuntime

/// `nightshift check SCRIPT`: compiles the script and shows the grant it needs.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a script: syntax errors with line numbers, the API functions it uses and the grant it needs.",
        discussion: """
            With --allow/--max-credits, also checks the script's declaration and the functions it \
            uses against that grant (exit 2 when they exceed it). Functions are found in the text: \
            calls made through aliases are not seen, and the run's grant still guards every call.
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

    func run() throws {
        guard let data = FileManager.default.contents(atPath: script) else {
            Output.error("nightshift check: cannot read the script \(script); check the path")
            throw NightshiftExitCode.badScript.exit
        }
        let source = Array(data)
        let name = (script as NSString).lastPathComponent
        do {
            let vm = try LuaVM(sandbox: .standard, limits: LuaLimits(instructions: 1, memory: 64 << 20, time: .seconds(5)))
            let chunk = try vm.load(bytes: source, chunkName: name)
            vm.release(chunk)
        } catch {
            Output.out("\(script): syntax error: \(error.message)")
            throw NightshiftExitCode.badScript.exit
        }
        Output.out("\(script): syntax ok")

        let declaration = ScriptDeclaration.parse(source)
        if !declaration.problems.isEmpty {
            for problem in declaration.problems { Output.out("\(script): header: \(problem)") }
            throw NightshiftExitCode.badScript.exit
        }
        let uses = ScriptUsage.scan(source)
        if uses.isEmpty {
            Output.out("uses: no API functions")
        } else {
            Output.out("uses: " + uses.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) (line \($0.value))" }.joined(separator: ", "))
        }
        if declaration.isPresent {
            var text = "declares: allow " + (declaration.allow.isEmpty ? "nothing" : declaration.allow.sorted().map(\.rawValue).joined(separator: ", "))
            if let maxCredits = declaration.maxCredits { text += "; max-credits \(maxCredits)" }
            if let perReseller = declaration.maxCreditsPerReseller { text += "; max-credits-per-reseller \(perReseller)" }
            Output.out(text)
            let undeclared = Set(uses.keys).subtracting(declaration.allow).sorted()
            if !undeclared.isEmpty {
                Output.out("warning: uses \(undeclared.map(\.rawValue).joined(separator: ", ")) without declaring it; add them to the '-- nightshift: allow' line")
            }
        } else {
            Output.out("declares: nothing (add '-- nightshift: allow ...' so runs refuse to start without the grant)")
        }

        // The grant it needs: what it declares and what it visibly uses; credits as declared.
        let needed = declaration.allow.union(uses.keys)
        var flags = needed.sorted().flatMap { ["--allow", $0.rawValue] }
        if let maxCredits = declaration.maxCredits { flags += ["--max-credits", String(maxCredits)] }
        if let perReseller = declaration.maxCreditsPerReseller { flags += ["--max-credits-per-reseller", String(perReseller)] }
        let writes = needed.filter { $0 == .resellersNew || $0 == .resellersUpdate || $0 == .resellersAddCredits }
        if !writes.isEmpty && declaration.maxCredits == nil {
            Output.out("note: it may change credits; runs need --max-credits N (the default cap is 0)")
        }
        Output.out("needs: " + (flags.isEmpty ? "nothing beyond the default grant (reads only)" : flags.joined(separator: " ")))

        let given = !allow.isEmpty || maxCredits != nil || maxCreditsPerReseller != nil
        guard given else { return }
        var allowed = Set<APIFunction>()
        for name in allow {
            guard let functions = APIFunction.parse(name) else {
                throw ValidationError("--allow \(name): unknown function")
            }
            allowed.formUnion(functions)
        }
        let grant = Grant(
            allowed: allow.isEmpty ? APIFunction.readsOnly : allowed, maxCredits: maxCredits ?? 0,
            maxCreditsPerReseller: maxCreditsPerReseller)
        var problems = declaration.excess(over: grant)
        let unused = Set(uses.keys).subtracting(grant.allowed).sorted()
        if !unused.isEmpty {
            problems.append("it calls \(unused.map(\.rawValue).joined(separator: ", ")), which the grant does not allow")
        }
        if problems.isEmpty {
            Output.out("grant \(grant): enough")
        } else {
            for problem in problems { Output.out("grant \(grant): not enough: \(problem)") }
            throw NightshiftExitCode.refused.exit
        }
    }
}
