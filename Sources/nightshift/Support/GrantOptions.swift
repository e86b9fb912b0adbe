import ArgumentParser
import Operations
import ScriptRuntime

/// `--allow`, `--max-credits`, `--max-credits-per-reseller`: the grant, for `run` and `repl`.
struct GrantOptions: ParsableArguments {
    @Option(name: .customLong("allow"), help: ArgumentHelp(
        "An API function the script may call, a group (resellers.*), all, or a notification target of nightshift.toml (notify.NAME, notify.*); see `nightshift types` (repeatable; default reads only).",
        valueName: "FN"))
    var allow: [String] = []

    @Option(name: .customLong("max-credits"), help: "Most credits that may be moved in total (default 0: no credit change).")
    var maxCredits: Int?

    @Option(name: .customLong("max-credits-per-reseller"), help: "Most credits that may be moved for one reseller.")
    var maxCreditsPerReseller: Int?

    func validate() throws {
        if let maxCredits, maxCredits < 0 { throw ValidationError("--max-credits must be 0 or more") }
        if let maxCreditsPerReseller, maxCreditsPerReseller < 0 {
            throw ValidationError("--max-credits-per-reseller must be 0 or more")
        }
        for function in allow where APICatalogue.standard.parse(function) == nil {
            throw ValidationError("--allow \(function): unknown function; known: \(APICatalogue.standard.allowable)")
        }
    }

    /// The grant the flags describe; a `notify.NAME` must name one of `notifyTargets`.
    func grant(notifyTargets: [String]) throws(RunCommandFailure) -> Grant {
        let catalogue = APICatalogue.standard
        for name in allow where catalogue.parse(name, targets: Set(notifyTargets)) == nil {
            throw RunCommandFailure(
                .configuration,
                "--allow \(name): no such notification target; define [\(name)] in nightshift.toml (configured: \(notifyTargets.isEmpty ? "none" : notifyTargets.sorted().map { "notify." + $0 }.joined(separator: ", ")))")
        }
        return grant
    }

    /// The grant the flags describe (notification targets unchecked).
    var grant: Grant {
        var allowed = Set<APIFunction>()
        for name in allow { allowed.formUnion(APICatalogue.standard.parse(name) ?? []) }
        return Grant(
            allowed: allow.isEmpty ? APIFunction.readsOnly : allowed, maxCredits: maxCredits ?? 0,
            maxCreditsPerReseller: maxCreditsPerReseller)
    }
}
