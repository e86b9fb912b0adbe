import ArgumentParser
import Operations
import ScriptRuntime
import NightshiftConfig
import ScriptAPI

/// `--allow`, `--max-credits`, `--max-credits-per-reseller`: the grant, for `run` and `repl`.
public struct GrantOptions: ParsableArguments {
    public init() {}

    @Option(name: .customLong("allow"), help: ArgumentHelp(
        "An API function the script may call, a group (resellers.*), all, or a notification target of nightshift.toml (notify.NAME, notify.*); see `nightshift types` (repeatable; default reads only).",
        valueName: "FN"))
    public var allow: [String] = []

    @Option(name: .customLong("max-credits"), help: "Most credits that may be moved in total (default 0: no credit change).")
    public var maxCredits: Int?

    @Option(name: .customLong("max-credits-per-reseller"), help: "Most credits that may be moved for one reseller.")
    public var maxCreditsPerReseller: Int?

    public func validate() throws {
        if let maxCredits, maxCredits < 0 { throw ValidationError("--max-credits must be 0 or more") }
        if let maxCreditsPerReseller, maxCreditsPerReseller < 0 {
            throw ValidationError("--max-credits-per-reseller must be 0 or more")
        }
    }

    /// The grant the flags describe, against the script API of `configuration` (its declared
    /// endpoints and notification targets).
    /// - Throws: usage (exit 64) for a name that is no function, configuration (exit 6) for
    ///   a `notify.NAME` that nightshift.toml does not define.
    public func grant(_ configuration: NightshiftConfiguration) throws(CommandFailure) -> Grant {
        let catalogue = configuration.catalogue
        let targets = configuration.notifyTargets.map(\.name)
        var allowed = Set<APIFunction>()
        for name in allow {
            if let functions = catalogue.parse(name, targets: Set(targets)) {
                allowed.formUnion(functions)
            } else if catalogue.parse(name) != nil {
                throw CommandFailure(
                    .configuration,
                    "--allow \(name): no such notification target; define [\(name)] in nightshift.toml (configured: \(targets.isEmpty ? "none" : targets.sorted().map { "notify." + $0 }.joined(separator: ", ")))")
            } else {
                throw CommandFailure(.usage, "--allow \(name): unknown function; known: \(catalogue.allowableNames(targets: targets))")
            }
        }
        return Grant(
            allowed: allow.isEmpty ? catalogue.reads : allowed, maxCredits: maxCredits ?? 0,
            maxCreditsPerReseller: maxCreditsPerReseller)
    }
}
